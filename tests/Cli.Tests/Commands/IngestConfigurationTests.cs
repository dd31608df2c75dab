using RelayWatch.Cli.Tests.Support;

namespace RelayWatch.Cli.Tests.Commands;

/// <summary>The configuration file's <c>ingest</c> section, and its command-line options overriding it.</summary>
public sealed class IngestConfigurationTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public IngestConfigurationTests() =>
        // Lines of our own, in Postfix's wording, stamped in local time as RFC 3164 syslog writes them.
        File.WriteAllLines(directory.Combine("mail.log"),
        [
            "Dec  1 10:00:00 mx1 postfix/smtpd[4101]: connect from unknown[192.0.2.7]",
            "Dec  1 10:00:01 mx1 postfix/smtpd[4101]: disconnect from unknown[192.0.2.7] ehlo=1 quit=1 commands=2",
        ]);

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task TheConfiguredTimeZoneReadsLocalStampsAndTzOverridesIt()
    {
        WriteConfig("\"ingest\": { \"timeZone\": \"Europe/Berlin\", \"batchLines\": 1, \"insertsInFlight\": 1 }");

        var configured = await IngestAsync("configured");
        var overridden = await IngestAsync("overridden", "--tz", "UTC");

        Assert.True(configured.ExitCode == 0, configured.Error);
        Assert.True(overridden.ExitCode == 0, overridden.Error);
        // Berlin is an hour ahead of UTC in December.
        Assert.Equal("2026-12-01 09:00:00.000\n", await QueryAsync("configured", "SELECT toString(min(ts)) FROM smtp_events"));
        Assert.Equal("2026-12-01 10:00:00.000\n", await QueryAsync("overridden", "SELECT toString(min(ts)) FROM smtp_events"));
        // batchLines 1: one checkpoint per line, the last one's version says how many batches there were.
        Assert.Equal("4\n", await QueryAsync("configured", "SELECT max(version) FROM ingest_checkpoints"));
    }

    [Fact]
    public async Task ASettingOutOfRangeIsRefusedInOneSentenceNamingIt()
    {
        WriteConfig("\"ingest\": { \"insertsInFlight\": 99 }");

        var refused = await IngestAsync("refused");
        var overridden = await IngestAsync("overridden", "--inserts-in-flight", "2");

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("relaywatch: The setting ingest.insertsInFlight (99) is not between 1 and 16.\n", refused.Error);
        Assert.True(overridden.ExitCode == 0, overridden.Error);
    }

    private void WriteConfig(string ingest) =>
        File.WriteAllText(directory.Combine("relaywatch.json"), "{ \"store\": { \"eventRetentionDays\": 20000 }, " + ingest + " }");

    private Task<CliResult> IngestAsync(string store, params string[] options) =>
        RelayWatchProcess.RunAsync(["--data", directory.Combine(store), "--config", directory.Combine("relaywatch.json"), "ingest", "--year", "2026", .. options, directory.Combine("mail.log")]);

    private async Task<string> QueryAsync(string store, string sql) =>
        (await RelayWatchProcess.RunAsync("--data", directory.Combine(store), "--config", directory.Combine("relaywatch.json"), "query", sql)).Output;
}
