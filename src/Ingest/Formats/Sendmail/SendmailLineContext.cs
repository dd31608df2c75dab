namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>What a Sendmail line's events share: its stamp, and the process and queue id that correlate it.</summary>
/// <param name="Qid">The queue id the line starts with, null for <c>NOQUEUE</c> or none.</param>
internal readonly record struct SendmailLineContext(EventStamp Stamp, int Pid, string? Qid)
{
    public DateTimeOffset Timestamp => Stamp.Timestamp;

    public string Relay => Stamp.Relay;
}
