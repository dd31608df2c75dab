namespace RelayWatch.Ingest.Dmarc;

/// <summary>What a load did: new reports and their records and messages, reports skipped as already stored, and refusals (one sentence each).</summary>
public sealed class DmarcLoadSummary
{
    public int Reports { get; private set; }

    public long Records { get; private set; }

    /// <summary>The messages the new records count (the sum of their &lt;count&gt;).</summary>
    public ulong Messages { get; private set; }

    public int Duplicates { get; private set; }

    public List<string> Refusals { get; } = [];

    internal void Add(DmarcReport report, bool stored)
    {
        if (!stored)
        {
            Duplicates++;
            return;
        }

        Reports++;
        Records += report.Records.Count;
        foreach (var record in report.Records)
        {
            Messages += record.Count;
        }
    }
}
