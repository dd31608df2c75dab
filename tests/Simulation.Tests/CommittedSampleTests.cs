using System.Globalization;
using System.Text.Json;

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
            Output = Path.Combine(directory, "again"),
        };

        new Simulator(options).Run(CancellationToken.None);

        foreach (var file in new[] { "logs/mx1/mail.log", "truth.jsonl", "simulation.json" })
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(sample, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(options.Output, file))),
                $"data/samples/simulated/{file} differs from what its command writes now; regenerate it with the command in simulation.json.");
        }
    }

    private static string SampleFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "samples", "simulated");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("data/samples/simulated was not found above the test binaries.");
    }
}
