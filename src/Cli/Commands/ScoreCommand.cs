using System.CommandLine;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Cli.Configuration;
using RelayWatch.Cli.Output;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch score</c>: scores every sending address of a day with the stored model and writes <c>ip_scores</c>.</summary>
internal static class ScoreCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var day = new Option<string?>("--day") { Description = "The day to score [default: the latest day with events]", HelpName = "DATE" };
        var model = new Option<string?>("--model") { Description = "Model version [default: the newest trained only on earlier days]", HelpName = "VERSION" };
        var top = new Option<int>("--top") { Description = "How many of the worst addresses to print", HelpName = "N", DefaultValueFactory = _ => 20 };
        var command = new Command("score", "Score every sending address of a day (0..1, higher is worse) with reasons, and check for drift; rerunning a day replaces its scores")
        {
            day, model, top,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ =>
            {
                var count = parse.GetValue(top);
                if (count < 0)
                {
                    throw new UsageException($"--top {count} is negative; give how many addresses to print.");
                }

                return (Config: globals.LoadConfig(parse), Day: Days.Parse(parse.GetValue(day), "--day"), Model: parse.GetValue(model), Top: count);
            },
            async (store, arguments, token) =>
            {
                var scored = arguments.Day ?? await Days.LatestAsync(store, token).ConfigureAwait(false)
                    ?? throw new WorkFailedException("The store has no events yet; ingest logs first (relaywatch ingest PATH).");
                await RunAsync(store, arguments.Config, scored, arguments.Model, arguments.Top, token).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    /// <summary>Scores a day and prints the worst addresses; shared with demo.</summary>
    internal static async Task<ScoreRun> RunAsync(IClickHouseStore store, ConfigFile config, DateOnly day, string? model, int top, CancellationToken cancellationToken)
    {
        ScoreRun run;
        try
        {
            run = await new IpScorer(store, config.Estate, config.Scoring).ScoreAsync(day, model, ScoresText.KeepFor(top), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new WorkFailedException(e.Message);
        }

        Console.Write(ScoresText.Run(run, top));
        var query = store.Info.Engine == "embedded" ? $"relaywatch --data {store.Info.Location} query" : "relaywatch query";
        Console.WriteLine($"Every score: {query} \"SELECT score, ip, reasons FROM ip_scores WHERE day = '{Days.Text(day)}' AND model = '{run.Model.Version}' ORDER BY score DESC\" --format table");
        return run;
    }
}
