using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;

namespace RelayWatch.Ingest.Tests.Loading;

/// <summary>
/// The child process of the exactly-once tests (this test assembly run as a program, see <see cref="Program"/>):
/// ingests a Postfix file into a data directory of its own in batches, and, when told to, kills itself
/// (SIGKILL, like kill -9) right after the rows of its Nth batch land and before that batch's checkpoint
/// commits. Run to the end, it prints what the store holds: every column of every row, hashed, and the error samples.
/// </summary>
internal static class CrashHost
{
    public const string Verb = "crash-host";

    private const string Holdings =
        """
        SELECT count(), sum(cityHash64(ts, relay, source, event, client_ip, client_host, helo, mail_from, rcpt_to, smtp_code, dsn, reason, queue_id, session_id, message_id, size, sasl_user, detail, file, line)),
               (SELECT count() FROM ingest_errors)
        FROM smtp_events
        """;

    /// <param name="arguments">DATA FILE BATCH_LINES DIE_AFTER_BATCH (0: never).</param>
    public static async Task<int> RunAsync(string[] arguments)
    {
        var (data, file) = (arguments[0], arguments[1]);
        var batchLines = int.Parse(arguments[2], CultureInfo.InvariantCulture);
        var dieAfter = int.Parse(arguments[3], CultureInfo.InvariantCulture);
        var store = await ClickHouseStore.OpenAsync(new StoreOptions { DataDirectory = data, EventRetentionDays = 20000 }, null, CancellationToken.None);
        await using (store.ConfigureAwait(false))
        {
            var landed = 0;
            var runner = new IngestRunner(store, new IngestOptions { Format = LogFormat.Postfix, Year = 2026, BatchLines = batchLines }, TimeProvider.System, NullLogger.Instance)
            {
                RowsLanded = _ =>
                {
                    if (++landed == dieAfter)
                    {
                        Process.GetCurrentProcess().Kill();
                    }
                },
            };
            await runner.IngestAsync([file], CancellationToken.None).ConfigureAwait(false);
            var rows = await store.QueryListAsync(Holdings, null, CancellationToken.None).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(string.Join('\t', rows[0])).ConfigureAwait(false);
            return 0;
        }
    }
}
