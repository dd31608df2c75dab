using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class IngestCommandTests : IDisposable
{
    /// <summary>Every column of smtp_events, so that equal fingerprints mean equal rows.</summary>
    private const string Fingerprint =
        "SELECT count(), sum(cityHash64(ts, relay, source, event, client_ip, client_host, helo, mail_from, rcpt_to, smtp_code, dsn, reason, queue_id, session_id, message_id, size, sasl_user, detail, file, line)) FROM smtp_events";

    private readonly TemporaryDirectory directory = new();

    public IngestCommandTests()
    {
        // The corpus log is from 2023: keep events of any age.
        File.WriteAllText(directory.Combine("relaywatch.json"), "{ \"store\": { \"eventRetentionDays\": 20000 } }");
        File.Copy(Path.Combine(RepositoryFolders.Corpora, "pixelpark-postfix-logsums", "mail.log"), directory.Combine("mail.log"));
    }

    public void Dispose() => directory.Dispose();

    [CorpusFact]
    public async Task KillingIngestAtAnyMomentAndRunningAgainGivesExactlyTheRowsOfOneCleanRun()
    {
        var clean = await IngestAsync("clean");
        Assert.Equal(0, clean.ExitCode);
        var expected = await QueryAsync("clean", Fingerprint);

        var random = new Random(20261128);
        var kills = 0;
        for (var attempt = 0; attempt < 12 && kills < 5; attempt++)
        {
            using var process = RelayWatchProcess.Start(Arguments("interrupted", batchLines: 500));
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 1500)));
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                kills++;
            }

            await process.WaitForExitAsync();
        }

        var final = await IngestAsync("interrupted", batchLines: 500);
        var again = await IngestAsync("interrupted", batchLines: 500);

        Assert.True(kills >= 3, $"only {kills} runs were still going when killed; the test did not interrupt enough");
        Assert.Equal(0, final.ExitCode);
        Assert.Equal(expected, await QueryAsync("interrupted", Fingerprint));
        Assert.Contains("Read 0 new lines (0 with events)", again.Output, StringComparison.Ordinal);
        Assert.Equal(expected, await QueryAsync("interrupted", Fingerprint));
    }

    [CorpusFact]
    public async Task TheSummaryCountsEveryLineOfTheFile()
    {
        var result = await IngestAsync("summary");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"mail\.log +postfix +69,861 +25,993 +43,868 +0 +1\n", result.Output);
        Assert.Contains("Read 69,861 new lines (25,993 with events) from 1 file(s)", result.Output, StringComparison.Ordinal);
    }

    [CorpusFact]
    public async Task FollowingStopsOnSigtermAfterCommittingWhatItRead()
    {
        var path = directory.Combine("followed.log");
        await File.WriteAllLinesAsync(path, File.ReadLines(directory.Combine("mail.log")).Take(3000));
        using var following = RelayWatchProcess.Start(
            ["--data", directory.Combine("follow"), "--config", directory.Combine("relaywatch.json"), "ingest", "--follow", path],
            // Its claim on the file (host-wide, by the file's first bytes) kept apart: other tests read this corpus meanwhile.
            environment: new Dictionary<string, string> { ["TMPDIR"] = Directory.CreateDirectory(directory.Combine("tmp")).FullName });
        var announced = await RelayWatchProcess.ReadErrorLineStartingAsync(following, "Following ");
        await File.AppendAllLinesAsync(path, File.ReadLines(directory.Combine("mail.log")).Skip(3000).Take(1000));
        while (!File.Exists(Path.Combine(directory.Combine("follow"), "relaywatch.pid")))
        {
            await Task.Delay(50);
        }

        await RelayWatchProcess.SendSigtermAsync(following);
        var output = await following.StandardOutput.ReadToEndAsync();
        await following.WaitForExitAsync();

        Assert.Equal($"Following {path}; Ctrl+C stops.", announced);
        Assert.Equal(0, following.ExitCode);
        // However far it got, what it reports, what it checkpointed and what it stored agree. On a loaded machine the
        // signal may come before the file was even opened: then it reports no file, and nothing may have been stored.
        if (output.Contains("from 0 file(s)", StringComparison.Ordinal))
        {
            Assert.Equal("0\t0\n", await QueryAsync("follow", "SELECT (SELECT count() FROM ingest_checkpoints), (SELECT count() FROM smtp_events)"));
            return;
        }

        var read = System.Text.RegularExpressions.Regex.Match(output, @"followed\.log +postfix +([\d,]+) +([\d,]+) ");
        Assert.True(read.Success, output);
        Assert.Equal(
            $"{read.Groups[1].Value.Replace(",", "", StringComparison.Ordinal)}\t{read.Groups[2].Value.Replace(",", "", StringComparison.Ordinal)}\n",
            await QueryAsync("follow", "SELECT line, events FROM ingest_checkpoints FINAL"));
        Assert.Equal(await QueryAsync("follow", "SELECT events FROM ingest_checkpoints FINAL"), await QueryAsync("follow", "SELECT count() FROM smtp_events"));
    }

    [CorpusFact]
    public async Task FollowingTakesExactlyOneFile()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("x"), "ingest", "--follow", directory.Combine("mail.log"), directory.Combine("mail.log"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: --follow reads exactly one file; run one ingest --follow per file.\n", result.Error);
    }

    [CorpusTheory]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task AHorizonThatIsNoSpanOfTimeIsBadUsage(string hours)
    {
        File.WriteAllText(directory.Combine("mail.log"), string.Empty);

        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("x"), "ingest", "--horizon", hours, directory.Combine("mail.log"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"relaywatch: --horizon {hours} is not a number of hours between 0 and a year.\n", result.Error);
    }

    [CorpusFact]
    public async Task AnUnknownFormatNameIsBadUsage()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("x"), "ingest", "--format", "qmail", directory.Combine("mail.log"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: 'qmail' is not a log format RelayWatch reads; use one of postfix, exim, domino, ironport, exchange, sendmail.\n", result.Error);
    }

    [CorpusFact]
    public async Task AMissingFileIsBadUsage()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("x"), "ingest", directory.Combine("nope.log"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"relaywatch: {directory.Combine("nope.log")} does not exist.\n", result.Error);
    }

    [CorpusFact]
    public async Task StandardInputIsIngestedToo()
    {
        var lines = string.Join('\n', File.ReadLines(directory.Combine("mail.log")).Take(500)) + "\n";

        var result = await RelayWatchProcess.RunWithInputAsync(lines, "--data", directory.Combine("stdin"), "--config", directory.Combine("relaywatch.json"), "ingest", "-");
        var count = await QueryAsync("stdin", "SELECT count() > 0, uniqExact(file) FROM smtp_events");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(@"\n- +postfix +500 ", result.Output);
        Assert.Equal("1\t1\n", count);
    }

    /// <summary>A folder such as /var/log: its mail logs are read, the other files listed as a note, and the run succeeds.</summary>
    [CorpusFact]
    public async Task AFolderIsIngestedWithItsOtherFilesListedAsANote()
    {
        var log = Directory.CreateDirectory(directory.Combine("var-log")).FullName;
        File.Copy(directory.Combine("mail.log"), Path.Combine(log, "mail.log"));
        await File.WriteAllTextAsync(Path.Combine(log, "dpkg.log"), "2026-11-28 10:00:00 status installed relaywatch:amd64 1.0\n");

        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("folder"), "--config", directory.Combine("relaywatch.json"), "ingest", log);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(@"mail\.log +postfix +69,861 +25,993 ", result.Output);
        Assert.Contains($"Passed over 1 file(s) of the folders given:\n  {Path.Combine(log, "dpkg.log")}: not a mail log RelayWatch reads\n", result.Output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Error);
    }

    [CorpusFact]
    public async Task AFileNamedExplicitlyWhoseFormatIsUnknownIsStillAnError()
    {
        var notes = directory.Combine("notes.txt");
        await File.WriteAllTextAsync(notes, "shopping list\nmilk\n");

        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("unknown"), "--config", directory.Combine("relaywatch.json"), "ingest", notes);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"relaywatch: The format of {notes} was not recognised from its first lines; name it with --format (postfix, exim, domino, ironport, exchange, sendmail).\n", result.Error);
    }

    /// <summary>Small batches make many checkpoints, so that a kill lands between two of them.</summary>
    private string[] Arguments(string store, int batchLines = 3000) =>
        ["--data", directory.Combine(store), "--config", directory.Combine("relaywatch.json"), "ingest", "--batch-lines", batchLines.ToString(System.Globalization.CultureInfo.InvariantCulture), directory.Combine("mail.log")];

    private Task<CliResult> IngestAsync(string store, int batchLines = 3000) => RelayWatchProcess.RunAsync(Arguments(store, batchLines));

    private async Task<string> QueryAsync(string store, string sql) =>
        (await RelayWatchProcess.RunAsync("--data", directory.Combine(store), "--config", directory.Combine("relaywatch.json"), "query", sql)).Output;
}
