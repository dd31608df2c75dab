using RelayWatch.Cli.Tests.Support;
using RelayWatch.Store.Schema;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class SchemaCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task TheClusterFormIsPrintedStatementByStatementWithoutAStore()
    {
        var data = directory.Combine("data");

        var result = await RelayWatchProcess.RunAsync("--data", data, "schema", "--cluster", "main");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(string.Empty, result.Error);
        Assert.False(Directory.Exists(data));
        Assert.Contains("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/smtp_events_local', '{replica}')", result.Output, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE IF NOT EXISTS smtp_events ON CLUSTER main AS smtp_events_local\nENGINE = Distributed(main, currentDatabase(), smtp_events_local, cityHash64(client_ip));\n", result.Output, StringComparison.Ordinal);
        var (comments, statements) = Blocks(result.Output);
        Assert.All(statements, s => Assert.Contains(" ON CLUSTER main", s, StringComparison.Ordinal));
        Assert.Equal(SchemaDdl.ForCluster(new ClusterLayout("main")).SelectMany(m => m.Statements), statements);
        Assert.Equal(Migration.All.Count + 1, comments.Count);
        Assert.Equal(Migration.All.Select(m => $"-- migration {m.Version:D4} {m.Name}"), comments.Skip(1));
    }

    [Fact]
    public async Task WithoutAClusterItPrintsWhatTheMigratorRuns()
    {
        var result = await RelayWatchProcess.RunAsync("schema");

        Assert.True(result.ExitCode == 0, result.Error);
        var (_, statements) = Blocks(result.Output);
        Assert.Equal(Migration.All.SelectMany(m => m.Statements).Prepend(SchemaMigrator.CreateMigrationTable), statements);
        Assert.DoesNotContain("ON CLUSTER", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1main")]
    [InlineData("main;DROP")]
    public async Task AClusterNameThatIsNotPlainIsBadUsage(string name)
    {
        var result = await RelayWatchProcess.RunAsync("schema", "--cluster", name);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"relaywatch: --cluster {name} is not a plain name (letters, digits and _, not starting with a digit).\n", result.Error);
        Assert.Equal(string.Empty, result.Output);
    }

    [Fact]
    public async Task TheConfiguredClusterIsPrintedWhenNoneIsNamed()
    {
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, """{ "store": { "cluster": "east" } }""");

        var result = await RelayWatchProcess.RunAsync("--config", config, "schema");

        Assert.True(result.ExitCode == 0, result.Error);
        var (_, statements) = Blocks(result.Output);
        Assert.Equal(SchemaDdl.ForCluster(new ClusterLayout("east")).SelectMany(m => m.Statements), statements);
    }

    [Fact]
    public async Task TheClusterNamedOnTheCommandLineWinsOverTheConfiguredOne()
    {
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, """{ "store": { "cluster": "east" } }""");

        var result = await RelayWatchProcess.RunAsync("--config", config, "schema", "--cluster", "main");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(" ON CLUSTER main", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("east", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfiguredClusterNameThatIsNotPlainIsBadUsage()
    {
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, """{ "store": { "cluster": "main;DROP" } }""");

        var result = await RelayWatchProcess.RunAsync("--config", config, "schema");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: store.cluster main;DROP is not a plain name (letters, digits and _, not starting with a digit).\n", result.Error);
    }

    [Fact]
    public async Task AConfiguredClusterWithTheEmbeddedEngineIsBadUsageInOneSentence()
    {
        var config = directory.Combine("relaywatch.json");
        await File.WriteAllTextAsync(config, """{ "store": { "cluster": "main" } }""");

        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "--config", config, "query", "SELECT 1");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: The cluster 'main' needs a ClickHouse server (store.clickHouse): the embedded engine runs on one machine and has no cluster.\n", result.Error);
        Assert.False(Directory.Exists(directory.Combine("data")));
    }

    /// <summary>The output's comment lines, and its statements: blocks separated by a blank line, each ending with ';'.</summary>
    private static (List<string> Comments, List<string> Statements) Blocks(string output)
    {
        var comments = new List<string>();
        var statements = new List<string>();
        Assert.EndsWith(";\n\n", output, StringComparison.Ordinal);
        foreach (var block in output.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n').ToList();
            comments.AddRange(lines.TakeWhile(l => l.StartsWith("-- ", StringComparison.Ordinal)));
            var statement = string.Join('\n', lines.SkipWhile(l => l.StartsWith("-- ", StringComparison.Ordinal)));
            Assert.EndsWith(";", statement, StringComparison.Ordinal);
            statements.Add(statement[..^1]);
        }

        return (comments, statements);
    }
}
