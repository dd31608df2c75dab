using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Simulation;
using RelayWatch.Store;

namespace RelayWatch.Bench;

/// <summary>
/// The reputation model's two costs on the embedded engine:
/// <c>train</c> — N simulated days (scale X) ingested and detected, then training on them (features in
/// ClickHouse for every day, FastTree, evaluation) and scoring the day after, timed apart;
/// <c>score</c> — a model trained on a small simulated week scores a million addresses: the real
/// feature rows of its last day repeated under new addresses, through chunked scoring with reasons,
/// the drift check and the inserts into <c>ip_scores</c> (the feature query's own rate is measured
/// by <c>train</c>).
/// </summary>
internal static class ModelBenchmark
{
    private static readonly DateOnly Start = new(2026, 10, 1);

    public static async Task<int> TrainAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var days = (int)arguments.Long("--days", 30);
        var scale = double.Parse(arguments.Text("--scale", "1"), CultureInfo.InvariantCulture);
        return await SimulatedStore.WithStoreAsync(Start, days + 1, scale, async (store, root) =>
        {
            var last = Start.AddDays(days - 1);
            var settings = new ScoringSettings();
            var before = Process.GetCurrentProcess().PeakWorkingSet64;
            var stopwatch = Stopwatch.StartNew();
            var rows = await FeatureQuery.ReadDaysAsync(store, new EstateSettings(), Start, last, CancellationToken.None);
            var featureSeconds = stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            var model = await new ModelTrainer(store, new EstateSettings(), settings, TimeProvider.System).TrainAsync(Start, last, CancellationToken.None);
            var trainSeconds = stopwatch.Elapsed.TotalSeconds;
            await ModelRepository.SaveAsync(store, model, CancellationToken.None);
            stopwatch.Restart();
            var run = await new IpScorer(store, new EstateSettings(), settings).ScoreAsync(last.AddDays(1), model.Manifest.Version, 10, CancellationToken.None);
            var scoreSeconds = stopwatch.Elapsed.TotalSeconds;
            var metrics = model.Manifest.Evaluation;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                features for {days} days: {rows.Count:N0} (address, day) rows in {featureSeconds:F1} s ({rows.Count / featureSeconds:N0} rows/s)
                train {days} days (features again, fit, evaluation): {trainSeconds:F1} s; {model.Manifest.BadLabels:N0} bad and {model.Manifest.GoodLabels:N0} good addresses learnt from
                held-out days: ROC AUC {metrics?.RocAuc:F4}, PR AUC {metrics?.PrAuc:F4}, recall {metrics?.RecallAtFpr01:F3} at 0.1% false positives, {metrics?.RecallAtFpr1:F3} at 1%
                score the next day: {run.Scored:N0} addresses in {scoreSeconds:F1} s
                peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB (before training {before / 1048576.0:N0} MiB)
                """));
        });
    }

    public static async Task<int> ScoreAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var addresses = arguments.Long("--ips", 1_000_000);
        return await SimulatedStore.WithStoreAsync(Start, 7, 0.05, async (store, root) =>
        {
            var last = Start.AddDays(5);
            var model = await new ModelTrainer(store, new EstateSettings(), new ScoringSettings(), TimeProvider.System).TrainAsync(Start, last, CancellationToken.None);
            var template = await FeatureQuery.ReadDaysAsync(store, new EstateSettings(), last.AddDays(1), last.AddDays(1), CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model {model.Manifest.Version} ({model.Manifest.Kind}); {template.Count} real feature rows repeated to {addresses:N0} addresses"));
            // The model alone (predictions, contributions, reasons), without the store.
            var chunk = Enumerable.Range(0, 50_000).Select(i => template[i % template.Count]).ToList();
            var modelOnly = Stopwatch.StartNew();
            var predictions = model.Score(chunk, 3);
            var reasonsSeconds = modelOnly.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the model alone on 50,000 addresses: {reasonsSeconds:F2} s ({chunk.Count / reasonsSeconds:N0} addresses/s)"));
            GC.Collect();
            var before = Process.GetCurrentProcess().WorkingSet64;
            var stopwatch = Stopwatch.StartNew();
            var run = await new IpScorer(store, new EstateSettings(), new ScoringSettings())
                .ScoreRowsAsync(model, last.AddDays(1), Repeat(template, addresses), 20, CancellationToken.None);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            var stored = await store.QueryScalarAsync("SELECT count() FROM ip_scores", CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                scored {run.Scored:N0} addresses with reasons, drift check and inserts in {seconds:F1} s ({run.Scored / seconds:N0} addresses/s); ip_scores holds {stored} rows
                working set before {before / 1048576.0:N0} MiB, peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB
                """));
        });
    }

    /// <summary>The template rows again and again, each copy under addresses of its own (2001:db8:ffff:COPY::N).</summary>
    private static async IAsyncEnumerable<IpFeatureRow> Repeat(IReadOnlyList<IpFeatureRow> template, long count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (long i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = template[(int)(i % template.Count)];
            var copy = i / template.Count;
            yield return row with { Ip = string.Create(CultureInfo.InvariantCulture, $"2001:db8:ffff:{copy:x}::{i % template.Count:x}") };
        }

        await Task.CompletedTask;
    }
}
