using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;

namespace RelayWatch.Ingest.Tests.Loading;

/// <summary>
/// The child process of the exactly-once tests (this test assembly run as a program, see <see cref="Program"/>):
/// ingests a Postfix file into a data directory of its own in batches, with some inserts in flight, and, when
/// told to, kills itself (SIGKILL, like kill -9) at a chosen moment around its Nth batch (<see cref="Crash"/>).
/// Before dying it prints which batches had landed (by number, from 1); run to the end, it prints what the store
/// holds: every column of every row, hashed, and the error samples.
/// </summary>
internal static class CrashHost
{
    public const string Verb = "crash-host";

    internal const string Holdings =
        """
        SELECT count(), sum(cityHash64(ts, relay, source, event, client_ip, client_host, helo, mail_from, rcpt_to, smtp_code, dsn, reason, queue_id, session_id, message_id, size, sasl_user, detail, file, line)),
               (SELECT count() FROM ingest_errors)
        FROM smtp_events
        """;

    /// <summary>Where, around batch N, the process dies.</summary>
    public enum Crash
    {
        /// <summary>Right after batch N's rows landed, before its checkpoint commits (whatever else is in flight).</summary>
        AfterRows,

        /// <summary>
        /// Batch N's rows are held back until every later batch the window lets in beside it (N+1 … N+inFlight−1)
        /// has landed; then it dies: later batches landed, an earlier one not.
        /// </summary>
        LaterLandedEarlierNot,

        /// <summary>
        /// Batch N's rows land; it dies once the later batches the window lets in beside it (N+1 … N+inFlight−1)
        /// have entered their inserts, whose rows are held back: an earlier batch landed, later ones not.
        /// </summary>
        EarlierLandedLaterNot,
    }

    /// <param name="arguments">
    /// DATA FILE BATCH_LINES DIE_AT_BATCH (0: never) INSERTS_IN_FLIGHT CRASH [SERVER]: with SERVER (a connection
    /// string) the store is that ClickHouse server's and DATA names the database there; else DATA is a data directory.
    /// </param>
    public static async Task<int> RunAsync(string[] arguments)
    {
        var (data, file) = (arguments[0], arguments[1]);
        var batchLines = int.Parse(arguments[2], CultureInfo.InvariantCulture);
        var dieAt = int.Parse(arguments[3], CultureInfo.InvariantCulture);
        var inFlight = int.Parse(arguments[4], CultureInfo.InvariantCulture);
        var crash = Enum.Parse<Crash>(arguments[5]);
        var storeOptions = arguments.Length > 6
            ? new StoreOptions { ConnectionString = arguments[6], Database = data, EventRetentionDays = 20000 }
            : new StoreOptions { DataDirectory = data, EventRetentionDays = 20000 };
        var store = await ClickHouseStore.OpenAsync(storeOptions, null, CancellationToken.None);
        await using (store.ConfigureAwait(false))
        {
            var options = new IngestOptions { Format = LogFormat.Postfix, Year = 2026, BatchLines = batchLines, InsertsInFlight = inFlight };
            var runner = new IngestRunner(store, options, TimeProvider.System, NullLogger.Instance) { Seams = dieAt > 0 ? Dying(dieAt, inFlight, crash) : null };
            await runner.IngestAsync([file], CancellationToken.None).ConfigureAwait(false);
            var rows = await store.QueryListAsync(Holdings, null, CancellationToken.None).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(string.Join('\t', rows[0])).ConfigureAwait(false);
            return 0;
        }
    }

    /// <summary>The seams that kill the process at <paramref name="crash"/> around batch <paramref name="n"/> (a first run's batch i has version 2i).</summary>
    private static BatchWriterSeams Dying(int n, int inFlight, Crash crash)
    {
        var landed = new SortedSet<long>();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var laterEntered = new ManualResetEventSlim();
        return new BatchWriterSeams
        {
            BeforeRows = checkpoint => Number(checkpoint) switch
            {
                var i when i == n && crash == Crash.LaterLandedEarlierNot => held.Task,
                var i when i > n && crash == Crash.EarlierLandedLaterNot => i == n + inFlight - 1 ? Entered() : held.Task,
                _ => Task.CompletedTask,
            },
            AfterRows = checkpoint =>
            {
                var i = Number(checkpoint);
                bool allLanded;
                lock (landed)
                {
                    landed.Add(i);
                    // The later batches land in any order (several inserts at once): die when the last of them has.
                    allLanded = crash == Crash.LaterLandedEarlierNot
                        ? i > n && Enumerable.Range(n + 1, inFlight - 1).All(b => landed.Contains(b))
                        : i == n;
                }

                if (allLanded)
                {
                    if (crash == Crash.EarlierLandedLaterNot)
                    {
                        laterEntered.Wait();
                    }

                    Die();
                }
            },
        };

        Task Entered()
        {
            laterEntered.Set();
            return held.Task;
        }

        void Die()
        {
            lock (landed)
            {
                Console.Out.WriteLine("landed " + string.Join(',', landed));
                Console.Out.Flush();
            }

            Process.GetCurrentProcess().Kill();
        }
    }

    private static long Number(FileCheckpoint checkpoint) => checkpoint.Version / 2;
}
