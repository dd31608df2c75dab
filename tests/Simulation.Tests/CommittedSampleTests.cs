using System.Globalization;
using System.Text.Json;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Simulation.Tests;

public sealed class CommittedSampleTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-sample-test-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void TheCommittedSimulatedSampleIsExactlyWhatItsCommandRegenerates()
    {
        var sample = SampleFolder();
        using var recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(sample, "simulation.json")));
        var options = new SimulationOptions
        {
            Days = recorded.RootElement.GetProperty("days").GetInt32(),
            Start = DateOnly.ParseExact(recorded.RootElement.GetProperty("start").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            Seed = recorded.RootElement.GetProperty("seed").GetInt32(),
            Scale = recorded.RootElement.GetProperty("scale").GetDouble(),
            World = recorded.RootElement.TryGetProperty("world", out var world) && world.GetString() == "harder" ? SimulationWorld.Harder : SimulationWorld.Classic,
            Output = Path.Combine(directory, "again"),
        };

        new Simulator(options).Run(CancellationToken.None);

        static List<string> Files(string folder) =>
            [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
        Assert.Equal(Files(options.Output), Files(sample));
        foreach (var file in Files(sample))
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(sample, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(options.Output, file))),
                $"data/samples/simulated/{file} differs from what its command writes now; regenerate it with the command in simulation.json.");
        }
    }

    private static string SampleFolder() => Path.Combine(RepositoryFolders.Samples, "simulated");
}
