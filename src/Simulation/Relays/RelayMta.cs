namespace RelayWatch.Simulation.Relays;

/// <summary>The MTA a simulated relay runs, which decides how it logs (<see cref="IRelayWriter"/>).</summary>
internal enum RelayMta
{
    /// <summary>Postfix through rsyslog: <c>mail.log</c>.</summary>
    Postfix,

    /// <summary>Exim's own mainlog with <c>log_selector = +millisec +pid</c>: <c>mainlog</c>.</summary>
    Exim,

    /// <summary>A Cisco Secure Email appliance (AsyncOS): its text mail log, <c>mail_logs</c>.</summary>
    Esa,

    /// <summary>Sendmail 8 (<c>sm-mta</c>) through rsyslog: <c>mail.log</c>.</summary>
    Sendmail,

    /// <summary>An Exchange Edge Transport server: its receive protocol log and message tracking log, a file of each a day.</summary>
    Exchange,
}

internal static class RelayMtas
{
    /// <summary>
    /// The file a relay of this MTA logs to, as its packages (or its log subscription) name it; Exchange
    /// writes dated files of its own (<see cref="ExchangeWriter.FileName"/>).
    /// </summary>
    public static string LogFile(this RelayMta mta) => mta switch
    {
        RelayMta.Exim => "mainlog",
        RelayMta.Esa => "mail_logs",
        _ => "mail.log",
    };

    /// <summary>
    /// Whether the relay greylists (postgrey behind Postfix, an ACL with a greylist lookup in Exim);
    /// AsyncOS and Exchange have no greylisting, and this Sendmail runs no greylisting milter, so they
    /// take a new sender's first message at once.
    /// </summary>
    public static bool Greylists(this RelayMta mta) => mta is RelayMta.Postfix or RelayMta.Exim;
}
