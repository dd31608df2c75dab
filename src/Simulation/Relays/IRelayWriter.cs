namespace RelayWatch.Simulation.Relays;

/// <summary>
/// How one relay logs one SMTP session. The actors tell what happens in Postfix's line kinds (the
/// richest vocabulary the ingest has, <see cref="RelayWatch.Ingest.Formats.Postfix.PostfixGrammar"/>),
/// each with its values; a writer turns each into what its MTA logs at that moment — the same line for
/// Postfix, for another MTA its own wording, several lines, or none (Exim writes nothing when Postfix's
/// cleanup names the Message-ID; it names it on the arrival line instead). A writer lives as long as
/// its session, so what it remembers (message ids, whether the client has gone) goes with it.
/// </summary>
internal interface IRelayWriter
{
    /// <param name="lines">The session's lines, appended to.</param>
    /// <param name="program">The Postfix program that would write the line (<c>postfix/smtpd</c>, …).</param>
    /// <param name="kind">A <see cref="RelayWatch.Ingest.Formats.Postfix.PostfixGrammar"/> line kind.</param>
    /// <exception cref="InvalidOperationException">The writer's MTA has no translation for the kind (a simulator bug, never data).</exception>
    void Write(List<SimLine> lines, DateTimeOffset time, string program, int pid, string kind, Dictionary<string, string> values);

    /// <summary>
    /// The relay's first look at a new connection, before its SMTP server takes it — Postfix's postscreen
    /// on port 25 (<c>CONNECT</c>, then <c>PASS OLD</c> / <c>PASS NEW</c>, or <c>WHITELISTED</c> for our
    /// own networks); nothing for Exim, whose connect ACL runs inside the SMTP server.
    /// </summary>
    /// <param name="values">The client's values (<c>client_ip</c>, <c>client_port</c>).</param>
    /// <returns>How long after <paramref name="time"/> the SMTP server takes the connection.</returns>
    TimeSpan Admit(List<SimLine> lines, DateTimeOffset time, string program, Dictionary<string, string> values);
}
