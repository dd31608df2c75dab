using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class StatusCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task StatusNamesTheEngineItsVersionTheDataDirectoryAndTheTables()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "status");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^engine     embedded \(chDB, ClickHouse 26\.7\.\d+\.\d+\)\n", result.Output);
        Assert.Contains($"data       {directory.Path}\n", result.Output, StringComparison.Ordinal);
        Assert.Contains($"database   relaywatch (schema version {Store.Schema.SchemaMigrator.LatestVersion})\n", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"\n  smtp_events +0 rows", result.Output);
        Assert.Matches(@"\n  findings +0 rows", result.Output);
        Assert.Matches(@"\n  ip_scores +0 rows", result.Output);
    }

    [Fact]
    public async Task JsonStatusCountsRowsAndShowsTheTimeRange()
    {
        await RelayWatchProcess.RunAsync("--data", directory.Path, "query",
            "INSERT INTO smtp_events (ts, relay, event) SELECT toDateTime64('2026-11-01 00:00:00', 3, 'UTC') + number * 60, 'mx1', 'connect' FROM numbers(1500)");

        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "status", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var events = json.RootElement.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "smtp_events");
        Assert.Equal(1500, events.GetProperty("rows").GetInt64());
        Assert.Equal("2026-11-01 00:00:00.000", events.GetProperty("first").GetString());
        Assert.Equal("2026-11-02 00:59:00.000", events.GetProperty("last").GetString());
        Assert.Equal("embedded", json.RootElement.GetProperty("engine").GetString());
    }

    [Fact]
    public async Task ADataDirectoryInUseByAnotherProcessIsRefused()
    {
        using var holder = RelayWatchProcess.Start(["--data", directory.Path, "query", "SELECT sleep(3)"]);
        var pidFile = directory.Combine("relaywatch.pid");
        while (!File.Exists(pidFile) && !holder.HasExited)
        {
            await Task.Delay(50);
        }

        var result = await RelayWatchProcess.RunAsync("--data", directory.Path, "status");
        await holder.WaitForExitAsync();

        Assert.Equal(0, holder.ExitCode);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"relaywatch: The data directory {directory.Path} is in use by another RelayWatch process (pid {holder.Id}); stop it or choose another directory with --data.\n",
            result.Error);
    }

    [Fact]
    public async Task ADataDirectoryThatCannotBeCreatedFailsWithOneSentence()
    {
        var file = directory.Combine("plain-file");
        await File.WriteAllTextAsync(file, "x");

        var result = await RelayWatchProcess.RunAsync("--data", Path.Combine(file, "data"), "status");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"relaywatch: The data directory {Path.Combine(file, "data")} cannot be created (", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task AnUnreachableServerFailsNamingHostAndPort()
    {
        var port = Loopback.FreePort();

        var result = await RelayWatchProcess.RunAsync("--clickhouse", $"Host=127.0.0.1;Port={port}", "status");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"relaywatch: The ClickHouse server at 127.0.0.1:{port} cannot be reached (", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfigurationFileWithAnUnknownSettingIsBadUsage()
    {
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, "{ \"store\": { \"dataDir\": \"/tmp/x\" } }");

        var result = await RelayWatchProcess.RunAsync("--config", config, "status");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"relaywatch: The configuration file {config} is not valid: The JSON property 'dataDir' could not be mapped", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConfigurationFileChoosesTheDataDirectoryAndTheFlagOverridesIt()
    {
        var fromFile = directory.Combine("from-file");
        var fromFlag = directory.Combine("from-flag");
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, $"{{ \"store\": {{ \"dataDirectory\": \"{fromFile}\", \"database\": \"edge\" }} }}");

        var byFile = await RelayWatchProcess.RunAsync("--config", config, "status");
        var byFlag = await RelayWatchProcess.RunAsync("--config", config, "--data", fromFlag, "status");

        Assert.Contains($"data       {fromFile}\n", byFile.Output, StringComparison.Ordinal);
        Assert.Contains($"database   edge (schema version {Store.Schema.SchemaMigrator.LatestVersion})", byFile.Output, StringComparison.Ordinal);
        Assert.Contains($"data       {fromFlag}\n", byFlag.Output, StringComparison.Ordinal);
    }
}
