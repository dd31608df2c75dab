using System.Diagnostics;
using System.Globalization;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Estate;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Reports;

namespace RelayWatch.Bench;

/// <summary>
/// The daily report on the embedded engine: N simulated days (scale X) ingested and detected, a model
/// trained on all but the last day and the last day scored and blocklisted, so every section has data;
/// then the last day's report is built and written (HTML, Markdown, JSON and charts), timed apart, three
/// times (the first run also warms the engine's caches).
/// </summary>
internal static class ReportBenchmark
{
    private static readonly DateOnly Start = new(2026, 10, 1);

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var days = (int)arguments.Long("--days", 31);
        var scale = double.Parse(arguments.Text("--scale", "1"), CultureInfo.InvariantCulture);
        return await SimulatedStore.WithStoreAsync(Start, days, scale, async (store, root) =>
        {
            var last = Start.AddDays(days - 1);
            var prepare = Stopwatch.StartNew();
            var model = await new ModelTrainer(store, new EstateSettings(), new ScoringSettings(), TimeProvider.System).TrainAsync(Start, last.AddDays(-1), CancellationToken.None);
            await ModelRepository.SaveAsync(store, model, CancellationToken.None);
            await new IpScorer(store, new EstateSettings(), new ScoringSettings()).ScoreAsync(last, model.Manifest.Version, 0, CancellationToken.None);
            var update = await new BlocklistUpdater(store, new BlocklistSettings(), new EstateSettings(), TimeProvider.System).UpdateAsync(last, CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"prepared: model {model.Manifest.Version}, {last:yyyy-MM-dd} scored, {update.Listed.Count} listed, in {prepare.Elapsed.TotalSeconds:F0} s"));

            var settings = new ReportSettings { CapacityMessagesPerHour = new Dictionary<string, double> { ["mx1"] = 20_000, ["mx2"] = 5_000 } };
            for (var run = 1; run <= 3; run++)
            {
                var stopwatch = Stopwatch.StartNew();
                var report = await new ReportBuilder(store, new EstateSettings(), settings, TimeProvider.System).BuildAsync(last, CancellationToken.None);
                var built = stopwatch.Elapsed.TotalSeconds;
                var written = await ReportWriter.WriteAsync(report, Path.Combine(root, "reports"), ReportWriter.Formats, CancellationToken.None);
                var total = stopwatch.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: report of {last:yyyy-MM-dd} ({report.Traffic.Relays.Sum(r => r.MessagesIn + r.MessagesOut):N0} messages, {report.Detectors.Sum(d => d.Count):N0} findings, {report.Scores?.Scored ?? 0:N0} scores, {days} days of history) built in {built:F1} s, written with {written.Charts.Count} charts in {total:F1} s; HTML {new FileInfo(written.Html!).Length / 1024.0:N0} KiB"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB"));
        });
    }
}
