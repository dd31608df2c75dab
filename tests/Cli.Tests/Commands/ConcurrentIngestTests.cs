using System.Text.Json;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary>
/// Many relays at once: several <c>ingest</c> processes write into one ClickHouse server (the HTTP fixture in
/// front of the embedded engine) at the same time — different files side by side, and the same file named
/// twice by mistake, by two processes at once and twice in one command. Each file must end with exactly the
/// rows it gives when it is read alone into a database of its own; nothing lost, nothing twice.
/// </summary>
public sealed class ConcurrentIngestTests : IAsyncLifetime
{
    private static readonly string Logs = Path.Combine(RepositoryFolders.Root, "data", "samples", "simulated", "logs");
    private static readonly string Postfix = Path.Combine(Logs, "mx1", "mail.log");
    private static readonly string Exim = Path.Combine(Logs, "mx2", "mainlog");
    private static readonly string Appliance = Path.Combine(Logs, "esa1", "mail_logs");

    private readonly TemporaryDirectory directory = new();
    private readonly ClickHouseHttpFixture clickHouse = new();

    public Task InitializeAsync() => clickHouse.InitializeAsync();

    public async Task DisposeAsync()
    {
        await clickHouse.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task TwoProcessesReadingOverlappingFilesIntoOneServerStoreEachRowOnce()
    {
        // Small batches, so the two processes' inserts and checkpoints of the shared file interleave (18,071 lines);
        // of different sizes, so their deduplication tokens differ: only the claim on the file keeps rows single.
        string[] batches = ["--batch-lines", "1000"];
        var alone = await Config("alone");
        foreach (var file in new[] { Postfix, Exim, Appliance })
        {
            Assert.Equal(0, (await Run(["--config", alone, "ingest", file, .. batches])).ExitCode);
        }

        var shared = await Config("shared");
        var first = Run(["--config", shared, "ingest", Postfix, Exim, .. batches]);
        var second = Run(["--config", shared, "ingest", Appliance, Postfix, Postfix, "--batch-lines", "700"]);
        var results = await Task.WhenAll(first, second);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Error));
        var expected = await RowsPerFile(alone);
        Assert.Equal(3, expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(expected, await RowsPerFile(shared));

        // And a third run of the same files finds nothing new.
        var again = await Run(["--config", shared, "ingest", Postfix, Exim, Appliance, .. batches]);
        Assert.Contains("Read 0 new lines (0 with events)", again.Output, StringComparison.Ordinal);
        Assert.Equal(expected, await RowsPerFile(shared));
    }

    [Fact]
    public async Task AOneOffRunPassesOverAFileAFollowerHoldsWhichStoresItOnce()
    {
        var alone = await Config("alone");
        Assert.Equal(0, (await Run("--config", alone, "ingest", Postfix)).ExitCode);
        var expected = await RowsPerFile(alone);

        var shared = await Config("followed");
        using var following = RelayWatchProcess.Start(["--config", shared, "ingest", "--follow", Postfix], environment: ClaimsOfTheirOwn);
        try
        {
            // The follower holds the file once it has stored all of it.
            await RelayWatchProcess.ReadErrorLineStartingAsync(following, "Following ");
            for (var tries = 0; tries < 240 && await RowsPerFile(shared) != expected; tries++)
            {
                await Task.Delay(250);
            }

            var once = await Run("--config", shared, "ingest", Postfix, "--batch-lines", "700");

            Assert.Equal(0, once.ExitCode);
            Assert.Contains($"{Postfix}: another relaywatch process follows it and stores its lines", once.Output, StringComparison.Ordinal);
            Assert.Contains("Read 0 new lines", once.Output, StringComparison.Ordinal);
        }
        finally
        {
            await RelayWatchProcess.SendSigtermAsync(following);
            await following.WaitForExitAsync();
        }

        Assert.Equal(0, following.ExitCode);
        Assert.Equal(expected, await RowsPerFile(shared));
    }

    /// <summary>
    /// The claims these processes make on the committed sample, kept among them: a claim is host-wide, and other
    /// tests read the same sample meanwhile (a one-off read passes over a file another process follows).
    /// </summary>
    private Dictionary<string, string> ClaimsOfTheirOwn => new() { ["TMPDIR"] = Directory.CreateDirectory(directory.Combine("tmp")).FullName };

    private Task<CliResult> Run(params string[] arguments) => RelayWatchProcess.RunInAsync(ClaimsOfTheirOwn, null, arguments);

    private async Task<string> Config(string database)
    {
        var path = directory.Combine($"{database}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { store = new { clickHouse = clickHouse.ConnectionString(), database } }));
        return path;
    }

    /// <summary>Per file: event rows, distinct (line, event, recipient) rows, and the checkpoint's lines — as tab-separated text.</summary>
    private static async Task<string> RowsPerFile(string config)
    {
        var result = await RelayWatchProcess.RunAsync("--config", config, "query",
            """
            SELECT e.file, e.rows, e.distinct_rows, c.lines
            FROM (SELECT file, count() AS rows, uniqExact(line, event, rcpt_to) AS distinct_rows FROM smtp_events GROUP BY file) AS e
            LEFT JOIN (SELECT path, max(line) AS lines FROM ingest_checkpoints FINAL GROUP BY path) AS c ON c.path = e.file
            ORDER BY e.file
            """);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output;
    }
}
