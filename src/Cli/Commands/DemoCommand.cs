using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RelayWatch.Cli.Output;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// <c>relaywatch demo</c>: the product's main job, end to end, on the embedded engine in a folder
/// of its own, so that it never touches a real store. Each capability the product gains extends it.
/// </summary>
internal static class DemoCommand
{
    public const string DefaultOutput = "relaywatch-demo";

    public static Command Create(GlobalOptions globals)
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder for the demo's store and outputs",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var command = new Command("demo", "Run RelayWatch end to end on the embedded engine and show what it produced") { output };
        command.SetAction((parse, cancellationToken) =>
        {
            var outputDirectory = Path.GetFullPath(parse.GetValue(output)!);
            var stopwatch = Stopwatch.StartNew();
            return CommandRunner.WithStoreAsync(
                () => globals.ResolveStore(parse, dataDirectoryDefault: Path.Combine(outputDirectory, "data")),
                (store, token) => RunAsync(store, outputDirectory, stopwatch, token),
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(IClickHouseStore store, string outputDirectory, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var status = await StoreStatus.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        var where = store.Info.Engine == "embedded" ? $"embedded engine, data in {store.Info.Location}" : $"server {store.Info.Location}";
        Console.WriteLine($"RelayWatch demo — {where}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"1. Store ready: ClickHouse {status.EngineVersion}, database {status.Database} at schema version {status.SchemaVersion} (tables smtp_events, findings, ip_scores)."));
        Console.WriteLine();
        Console.Write(status.ToText());
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {stopwatch.Elapsed.TotalSeconds:F1} s. Outputs are under {outputDirectory}."));
        Console.WriteLine($"Explore the store:  dotnet run --project src/Cli -- --data {store.Info.Location} query \"SELECT event, count() FROM smtp_events GROUP BY event\"");
        return ExitCodes.Ok;
    }
}
