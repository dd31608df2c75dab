namespace RelayWatch.Ingest.Formats;

/// <summary>The log formats ingest reads. Names are those of <c>--format</c> and <c>smtp_events.source</c>.</summary>
public enum LogFormat
{
    Postfix,
    Exim,
    Domino,
    Ironport,
    Exchange,
    Sendmail,
}
