namespace RelayWatch.Cli.Output;

/// <summary>What the syslog listener dropped for one reason, over every listener run (<c>listener_drops</c>).</summary>
internal sealed record ListenerDropStatus(string Reason, long Dropped);
