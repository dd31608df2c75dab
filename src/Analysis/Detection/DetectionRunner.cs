using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Detection;

/// <summary>What one detector found on one day, and how long it took.</summary>
public sealed record DetectorRun(DateOnly Day, string Detector, long Findings, TimeSpan Elapsed);

/// <summary>
/// Runs detectors day by day and writes their findings. Rerunning a day replaces that day's
/// findings of each detector that runs, so a window can be detected again after late logs arrive.
/// The replacement never leaves the day empty: the new run's rows are inserted first, under a run id,
/// and only then are the older runs' rows deleted; a run that fails takes its own rows back.
/// </summary>
public sealed class DetectionRunner(IClickHouseStore store, EstateSettings estate, IReadOnlyList<Detector> detectors, ILogger logger)
{
    private const string TheDetectorsDay = "day = {day:Date} AND detector = {detector:String}";

    private const string Count = "SELECT count() FROM findings WHERE " + TheDetectorsDay;

    /// <summary>Runs every detector on each day from <paramref name="first"/> to <paramref name="last"/>.</summary>
    /// <param name="progress">Told about each detector run as it ends.</param>
    public async Task<IReadOnlyList<DetectorRun>> RunAsync(DateOnly first, DateOnly last, IProgress<DetectorRun>? progress, CancellationToken cancellationToken)
    {
        var runs = new List<DetectorRun>();

        // dha's as_campaign rule looks addresses up in the network context dictionary, which exists once context
        // was loaded; without context it is created empty here, every address is AS 0 and the rule finds nothing.
        await new Context.NetworkContextStore(store).EnsureDictionaryAsync(cancellationToken).ConfigureAwait(false);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var context = new DetectionContext(day, await EstateResolver.ResolveAsync(store, estate, day, cancellationToken).ConfigureAwait(false));
            foreach (var detector in detectors)
            {
                var run = await RunAsync(detector, context, cancellationToken).ConfigureAwait(false);
                runs.Add(run);
                progress?.Report(run);
            }
        }

        return runs;
    }

    private async Task<DetectorRun> RunAsync(Detector detector, DetectionContext context, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var parameters = new Dictionary<string, string>(context.ParametersFor(detector)) { ["run"] = Guid.NewGuid().ToString("N") };
        await RunReplacing.InsertThenReplaceAsync(
            store,
            "findings",
            TheDetectorsDay,
            parameters,
            token => store.ExecuteAsync(
                $$"""
                INSERT INTO findings (day, detector, subject, severity, score, first_seen, last_seen, events, evidence, run)
                SELECT {day:Date}, {detector:String}, subject, severity, score, first_seen, last_seen, events, evidence, {run:String}
                FROM ({{detector.Query}})
                """,
                parameters,
                token),
            cancellationToken).ConfigureAwait(false);
        var found = await CountAsync(parameters, cancellationToken).ConfigureAwait(false);
        Log.DetectorRan(logger, detector.Name, context.Day, found, stopwatch.ElapsedMilliseconds);
        return new DetectorRun(context.Day, detector.Name, found, stopwatch.Elapsed);
    }

    private async Task<long> CountAsync(IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken) =>
        long.Parse(await store.QueryScalarAsync(Count, parameters, cancellationToken).ConfigureAwait(false) ?? "0", CultureInfo.InvariantCulture);
}
