using System.CommandLine;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Cli.Configuration;
using RelayWatch.Cli.Output;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch train</c>: learns the reputation model from a window of days and stores it.</summary>
internal static class TrainCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var from = new Option<string?>("--from") { Description = "First day to learn from [default: scoring.trainingDays before --to]", HelpName = "DATE" };
        var to = new Option<string?>("--to") { Description = "Last day to learn from [default: the day before the latest day with events]", HelpName = "DATE" };
        var command = new Command("train",
            "Train the IP reputation model on a window of days: the earlier days to learn from, the later ones to measure it on; stores it for score")
        {
            from, to,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ =>
            {
                var (first, last) = (Days.Parse(parse.GetValue(from), "--from"), Days.Parse(parse.GetValue(to), "--to"));
                if (first is not null && last is not null && last < first)
                {
                    throw new UsageException("--to is before --from.");
                }

                return (Config: globals.LoadConfig(parse), First: first, Last: last);
            },
            async (store, arguments, token) =>
            {
                var last = arguments.Last;
                if (last is null)
                {
                    var latest = await Days.LatestAsync(store, token).ConfigureAwait(false)
                        ?? throw new WorkFailedException("The store has no events yet; ingest logs first (relaywatch ingest PATH).");
                    last = latest.AddDays(-1);
                }

                var first = arguments.First ?? last.Value.AddDays(1 - Math.Max(2, arguments.Config.Scoring.TrainingDays));
                await RunAsync(store, arguments.Config, first, last.Value, token).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    /// <summary>Trains, stores and describes a model; shared with demo.</summary>
    internal static async Task<ModelManifest> RunAsync(IClickHouseStore store, ConfigFile config, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Training on {Days.Text(first)} to {Days.Text(last)}:");
        var trainer = new ModelTrainer(store, config.Estate, config.Scoring, TimeProvider.System)
        {
            Progress = new SynchronousProgress<string>(step => Console.WriteLine("  " + step)),
        };
        ReputationModel model;
        try
        {
            model = await trainer.TrainAsync(first, last, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new WorkFailedException(e.Message);
        }

        await ModelRepository.SaveAsync(store, model, cancellationToken).ConfigureAwait(false);
        Console.Write(ScoresText.Model(model.Manifest, config.Scoring.MinimumLabelsPerClass));
        Console.WriteLine($"Stored in ip_models. Score a later day with: relaywatch score --day {Days.Text(last.AddDays(1))}");
        return model.Manifest;
    }
}
