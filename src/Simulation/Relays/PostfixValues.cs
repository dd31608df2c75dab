namespace RelayWatch.Simulation.Relays;

/// <summary>What the other MTAs' writers read out of the values the actors give in Postfix's terms.</summary>
internal static class PostfixValues
{
    /// <summary>
    /// The next hop's reply in a delivery's detail: <c>550 5.1.1 &lt;x&gt;: … </c> out of
    /// <c>host mx[192.0.2.1] said: 550 5.1.1 &lt;x&gt;: … (in reply to RCPT TO command)</c>.
    /// </summary>
    public static string Reply(string detail)
    {
        var said = detail.IndexOf(" said: ", StringComparison.Ordinal);
        var reply = said < 0 ? detail : detail[(said + 7)..];
        var inReply = reply.IndexOf(" (in reply to", StringComparison.Ordinal);
        return inReply < 0 ? reply : reply[..inReply];
    }

    /// <summary>A next hop as Postfix writes it, <c>host[ip]:port</c>, in its parts.</summary>
    public static (string Host, string Ip, string Port) NextHop(string hop)
    {
        var (open, close) = (hop.IndexOf('[', StringComparison.Ordinal), hop.IndexOf(']', StringComparison.Ordinal));
        return (hop[..open], hop[(open + 1)..close], hop[(close + 2)..]);
    }
}
