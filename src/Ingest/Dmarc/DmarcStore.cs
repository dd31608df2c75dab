using System.Globalization;
using RelayWatch.Store;

namespace RelayWatch.Ingest.Dmarc;

/// <summary>Writes aggregate reports into <c>dmarc_records</c> (migration 0014), exactly once per (reporter, report id) (<see cref="OncePerReport"/>).</summary>
public sealed class DmarcStore(IClickHouseStore store, TimeProvider time)
{
    public const string Table = "dmarc_records";

    private static readonly string[] Columns =
    [
        "reporter_org", "reporter_email", "report_id", "date_begin", "date_end", "schema", "version",
        "policy_domain", "policy_adkim", "policy_aspf", "policy_p", "policy_sp", "policy_np", "policy_pct", "policy_testing",
        "record", "source_ip", "count", "disposition", "dkim", "spf", "reasons", "header_from", "envelope_from", "envelope_to",
        "dkim_domains", "dkim_selectors", "dkim_results", "spf_domains", "spf_scopes", "spf_results", "file", "loaded_at",
    ];

    /// <summary>Stores the report unless it is already stored.</summary>
    /// <param name="source">Where it came from (file, zip entry, mailbox message), kept in the <c>file</c> column.</param>
    /// <returns>True when it was new and is now stored; false when the table already held it.</returns>
    public async Task<bool> AddAsync(DmarcReport report, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (await OncePerReport.IsHeldAsync(store, Table, report.ReporterOrg, report.ReportId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await InsertAsync(report, source, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Inserts the report's records as one block under its deduplication token, without looking first.</summary>
    internal Task InsertAsync(DmarcReport report, string source, CancellationToken cancellationToken)
    {
        var loadedAt = time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        return OncePerReport.InsertAsync(store, Table, Columns, Token(report), report.Records.Select((record, i) => Row(report, record, (uint)i + 1, source, loadedAt)), cancellationToken);
    }

    /// <summary>The report's identity as a deduplication token: the same report always gives the same token.</summary>
    internal static string Token(DmarcReport report) => OncePerReport.Token("dmarc", report.ReporterOrg, report.ReportId);

    private static Dictionary<string, object> Row(DmarcReport report, DmarcRecord record, uint number, string source, string loadedAt) => new()
    {
        ["reporter_org"] = report.ReporterOrg,
        ["reporter_email"] = report.ReporterEmail,
        ["report_id"] = report.ReportId,
        ["date_begin"] = report.Begin.ToUnixTimeSeconds(),
        ["date_end"] = report.End.ToUnixTimeSeconds(),
        ["schema"] = report.Schema,
        ["version"] = report.Version,
        ["policy_domain"] = report.Policy.Domain,
        ["policy_adkim"] = report.Policy.Adkim,
        ["policy_aspf"] = report.Policy.Aspf,
        ["policy_p"] = report.Policy.P,
        ["policy_sp"] = report.Policy.Sp,
        ["policy_np"] = report.Policy.Np,
        ["policy_pct"] = report.Policy.Pct,
        ["policy_testing"] = report.Policy.Testing,
        ["record"] = number,
        ["source_ip"] = record.SourceIp.ToString(),
        ["count"] = record.Count,
        ["disposition"] = record.Disposition,
        ["dkim"] = record.Dkim,
        ["spf"] = record.Spf,
        ["reasons"] = record.Reasons,
        ["header_from"] = record.HeaderFrom,
        ["envelope_from"] = record.EnvelopeFrom,
        ["envelope_to"] = record.EnvelopeTo,
        ["dkim_domains"] = record.DkimResults.Select(d => d.Domain).ToArray(),
        ["dkim_selectors"] = record.DkimResults.Select(d => d.Scope).ToArray(),
        ["dkim_results"] = record.DkimResults.Select(d => d.Result).ToArray(),
        ["spf_domains"] = record.SpfResults.Select(s => s.Domain).ToArray(),
        ["spf_scopes"] = record.SpfResults.Select(s => s.Scope).ToArray(),
        ["spf_results"] = record.SpfResults.Select(s => s.Result).ToArray(),
        ["file"] = source,
        ["loaded_at"] = loadedAt,
    };
}
