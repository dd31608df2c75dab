using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RelayWatch.Store;

namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// Exactly once per (reporter, report id), for the tables of reports other receivers send us (<c>dmarc_records</c>,
/// <c>tls_reports</c>): a report the table already holds is skipped; a new one goes in as one insert (one block: all
/// its rows or none) whose <c>insert_deduplication_token</c> is the report's identity, so that a retry after a crash
/// between insert and answer, or a second load racing past the check, is dropped by ClickHouse itself.
/// </summary>
internal static class OncePerReport
{
    /// <summary>Whether <paramref name="table"/> already holds the report.</summary>
    public static async Task<bool> IsHeldAsync(IClickHouseStore store, string table, string reporterOrg, string reportId, CancellationToken cancellationToken)
    {
        var held = await store.QueryScalarAsync(
            $"SELECT count() FROM {table} WHERE reporter_org = {{org:String}} AND report_id = {{id:String}}",
            new Dictionary<string, string> { ["org"] = reporterOrg, ["id"] = reportId }, cancellationToken).ConfigureAwait(false);
        return held is not (null or "0");
    }

    /// <summary>The report's identity as a deduplication token: the same report always gives the same token.</summary>
    public static string Token(string kind, string reporterOrg, string reportId) =>
        kind + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reporterOrg + "\n" + reportId)));

    /// <summary>Inserts the report's rows as one block under its token, without looking first.</summary>
    public static Task InsertAsync(IClickHouseStore store, string table, IReadOnlyList<string> columns, string token, IEnumerable<Dictionary<string, object>> rows, CancellationToken cancellationToken) =>
        store.InsertAsync(
            new BulkInsert(table, columns, "JSONEachRow") { Settings = new Dictionary<string, string> { ["insert_deduplication_token"] = token } },
            async (stream, cancel) =>
            {
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                foreach (var row in rows)
                {
                    await writer.WriteLineAsync(JsonSerializer.Serialize(row).AsMemory(), cancel).ConfigureAwait(false);
                }
            },
            cancellationToken);
}
