using System.Globalization;
using RelayWatch.Analysis.Context;
using RelayWatch.Cli.Configuration;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Simulation;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// What a simulation's folder holds beside its logs, as <c>evaluate</c> and <c>demo</c> use it: other receivers'
/// DMARC reports (<see cref="Simulator.DmarcFolder"/>, as <c>dmarc load</c> stores them), its network context
/// (<see cref="Simulator.ContextFile"/>, as <c>context load --csv</c>), and its relays' public addresses
/// (<see cref="Simulator.EstateFile"/>, added to <c>estate.relayAddresses</c>). A folder without them (an older
/// simulation, real samples) is used as it is.
/// </summary>
internal static class SimulationExtras
{
    /// <summary>Stores the simulation's DMARC reports, each once; says how many.</summary>
    /// <exception cref="WorkFailedException">A report was refused: the simulator writes only valid ones.</exception>
    public static async Task<DmarcLoadSummary?> LoadDmarcAsync(IClickHouseStore store, string simulation, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(simulation, Simulator.DmarcFolder);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var loader = new DmarcLoader(new DmarcReportReader(), new DmarcStore(store, TimeProvider.System), new TlsStore(store, TimeProvider.System));
        var summary = new DmarcLoadSummary();
        foreach (var file in DmarcLoader.Expand([folder]))
        {
            await loader.LoadFileAsync(file, summary, cancellationToken).ConfigureAwait(false);
        }

        if (summary.Refusals.Count > 0)
        {
            throw new WorkFailedException($"The simulation's DMARC reports in {folder} were refused: {string.Join(" ", summary.Refusals.Take(3))}");
        }

        return summary;
    }

    /// <summary>Replaces the network context with the simulation's CSV; the networks loaded, null when it has none.</summary>
    public static async Task<long?> LoadContextAsync(IClickHouseStore store, string simulation, CancellationToken cancellationToken)
    {
        var csv = Path.Combine(simulation, Simulator.ContextFile);
        if (!File.Exists(csv))
        {
            return null;
        }

        using var reader = new StreamReader(csv);
        var rows = NetworkContextCsv.Read(reader, csv);
        return await new NetworkContextStore(store).ReplaceAsync(rows, Path.GetFileName(csv), TimeProvider.System, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <paramref name="config"/> with the simulation's relay addresses added to <c>estate.relayAddresses</c>: what its
    /// operator configures, so that our own outbound mail in the DMARC reports reads as ours.
    /// </summary>
    public static ConfigFile WithRelayAddresses(ConfigFile config, string simulation)
    {
        var file = Path.Combine(simulation, Simulator.EstateFile);
        if (!File.Exists(file))
        {
            return config;
        }

        var simulated = ConfigFile.Load(file).Estate.RelayAddresses ?? [];
        config.Estate.RelayAddresses = [.. (config.Estate.RelayAddresses ?? []).Concat(simulated).Distinct(StringComparer.Ordinal)];
        return config;
    }

    /// <summary>One line about what was loaded, for the terminal.</summary>
    public static string Describe(DmarcLoadSummary summary, string simulation) => string.Create(CultureInfo.InvariantCulture,
        $"DMARC reports: {summary.Reports:N0} new ({summary.Duplicates:N0} already stored), {summary.Records:N0} records, {summary.Messages:N0} messages from {Path.Combine(simulation, Simulator.DmarcFolder)}");
}
