namespace RelayWatch.Simulation.Relays;

/// <summary>
/// Postfix: each event is the one line the grammar's template for its kind renders. Port 25 has
/// postscreen in front of smtpd (as on the relays of the corpora): it logs every connection and lets
/// it through — at once for a client it has seen pass before (<c>PASS OLD</c>), after its greeting
/// wait for a new one (<c>PASS NEW</c>), and without tests for our own networks (<c>WHITELISTED</c>).
/// </summary>
internal sealed class PostfixWriter(SimLog log, string relay, ISet<string> passedBefore) : IRelayWriter
{
    public const string Postscreen = "postfix/postscreen";

    /// <summary>The one postscreen process of the relay (postscreen is a single long-running daemon).</summary>
    public const int PostscreenPid = 1201;

    /// <summary>The relay's public address, where postscreen listens.</summary>
    public const string ServerIp = "198.51.100.25";

    private static readonly TimeSpan PassOld = TimeSpan.FromSeconds(0.107);

    /// <summary>postscreen_greet_wait: a new client must stay quiet this long before it passes.</summary>
    private static readonly TimeSpan GreetWait = TimeSpan.FromSeconds(6);

    public TimeSpan Admit(List<SimLine> lines, DateTimeOffset time, string program, Dictionary<string, string> values)
    {
        if (program != "postfix/smtpd")
        {
            // The submission port has no postscreen.
            return TimeSpan.Zero;
        }

        // Our own servers reach the relay on its inside address; the Internet on its public one.
        var ours = values["client_ip"].StartsWith("10.", StringComparison.Ordinal);
        var client = new Dictionary<string, string>
        {
            ["client_ip"] = values["client_ip"], ["client_port"] = values["client_port"], ["server_ip"] = ours ? MxRouting.InsideAddress(relay) : ServerIp, ["server_port"] = "25",
        };
        lines.Add(log.Line(relay, time, Postscreen, PostscreenPid, "postscreen.connect", client));
        if (ours)
        {
            client["listed_as"] = "WHITE";
            lines.Add(log.Line(relay, time, Postscreen, PostscreenPid, "postscreen.listed", client));
            return TimeSpan.FromMilliseconds(1);
        }

        var old = !passedBefore.Add(values["client_ip"]);
        var passed = old ? PassOld : GreetWait;
        client["pass_age"] = old ? "OLD" : "NEW";
        lines.Add(log.Line(relay, time + passed, Postscreen, PostscreenPid, "postscreen.pass", client));
        return passed + TimeSpan.FromMilliseconds(4);
    }

    public void Write(List<SimLine> lines, DateTimeOffset time, string program, int pid, string kind, Dictionary<string, string> values) =>
        lines.Add(log.Line(relay, time, program, pid, kind, values));
}
