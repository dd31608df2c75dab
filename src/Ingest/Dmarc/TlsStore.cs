using System.Globalization;
using RelayWatch.Store;

namespace RelayWatch.Ingest.Dmarc;

/// <summary>Writes SMTP TLS reports into <c>tls_reports</c> (migration 0015), exactly once per (reporter, report id) (<see cref="OncePerReport"/>).</summary>
public sealed class TlsStore(IClickHouseStore store, TimeProvider time)
{
    public const string Table = "tls_reports";

    private static readonly string[] Columns =
    [
        "reporter_org", "contact_info", "report_id", "date_begin", "date_end", "policy", "policy_type", "policy_domain", "mx_hosts",
        "successful_sessions", "failed_sessions", "result_types", "sending_mta_ips", "receiving_mx_hostnames", "receiving_ips",
        "failed_session_counts", "failure_reason_codes", "file", "loaded_at",
    ];

    /// <returns>True when it was new and is now stored; false when the table already held it.</returns>
    public async Task<bool> AddAsync(TlsReport report, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (await OncePerReport.IsHeldAsync(store, Table, report.ReporterOrg, report.ReportId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var loadedAt = time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        await OncePerReport.InsertAsync(store, Table, Columns, OncePerReport.Token("tlsrpt", report.ReporterOrg, report.ReportId), report.Policies.Select((policy, i) => new Dictionary<string, object>
        {
            ["reporter_org"] = report.ReporterOrg,
            ["contact_info"] = report.ContactInfo,
            ["report_id"] = report.ReportId,
            ["date_begin"] = report.Begin.ToUnixTimeSeconds(),
            ["date_end"] = report.End.ToUnixTimeSeconds(),
            ["policy"] = (uint)i + 1,
            ["policy_type"] = policy.PolicyType,
            ["policy_domain"] = policy.PolicyDomain,
            ["mx_hosts"] = policy.MxHosts,
            ["successful_sessions"] = policy.SuccessfulSessions,
            ["failed_sessions"] = policy.FailedSessions,
            ["result_types"] = policy.Failures.Select(f => f.ResultType).ToArray(),
            ["sending_mta_ips"] = policy.Failures.Select(f => f.SendingMtaIp).ToArray(),
            ["receiving_mx_hostnames"] = policy.Failures.Select(f => f.ReceivingMxHostname).ToArray(),
            ["receiving_ips"] = policy.Failures.Select(f => f.ReceivingIp).ToArray(),
            ["failed_session_counts"] = policy.Failures.Select(f => f.FailedSessions).ToArray(),
            ["failure_reason_codes"] = policy.Failures.Select(f => f.FailureReasonCode).ToArray(),
            ["file"] = source,
            ["loaded_at"] = loadedAt,
        }), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
