namespace RelayWatch.Simulation.Relays;

/// <summary>The MTA a simulated relay runs, which decides how it logs (<see cref="IRelayWriter"/>).</summary>
internal enum RelayMta
{
    /// <summary>Postfix through rsyslog: <c>mail.log</c>.</summary>
    Postfix,

    /// <summary>Exim's own mainlog with <c>log_selector = +millisec +pid</c>: <c>mainlog</c>.</summary>
    Exim,
}

internal static class RelayMtas
{
    /// <summary>The file a relay of this MTA logs to, as its packages name it.</summary>
    public static string LogFile(this RelayMta mta) => mta switch
    {
        RelayMta.Exim => "mainlog",
        _ => "mail.log",
    };
}
