namespace RelayWatch.Ingest.Dmarc;

/// <summary>What a load did: new reports and their records and messages, reports skipped as already stored, and refusals (one sentence each).</summary>
public sealed class DmarcLoadSummary
{
    public int Reports { get; private set; }

    /// <summary>New reports of both kinds, DMARC and TLS.</summary>
    public int AllNew => Reports + TlsReports;

    /// <summary>Reports of both kinds already stored.</summary>
    public int AllDuplicates => Duplicates + TlsDuplicates;

    public long Records { get; private set; }

    /// <summary>The messages the new records count (the sum of their &lt;count&gt;).</summary>
    public ulong Messages { get; private set; }

    public int Duplicates { get; private set; }

    public List<string> Refusals { get; } = [];

    /// <summary>New SMTP TLS reports (RFC 8460).</summary>
    public int TlsReports { get; private set; }

    public int TlsDuplicates { get; private set; }

    internal void AddTls(bool stored)
    {
        if (stored)
        {
            TlsReports++;
        }
        else
        {
            TlsDuplicates++;
        }
    }

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
