using RelayWatch.Store;

namespace RelayWatch.Analysis.Context;

/// <summary>
/// Reloads network context when its configured files change, the check-at-job-start way: each scheduled job (and
/// <c>serve</c> at start) calls <see cref="ReloadIfChangedAsync"/>, which compares the files' fingerprint (name, size,
/// last write time) with the <c>source</c> stored by the last load, and loads them again only when it differs. No
/// watcher thread; it survives restarts, and several <c>serve</c> processes sharing a store agree, since the store
/// holds what was loaded. MaxMind publishes new databases twice a week, so an hourly job's check is prompt enough.
/// </summary>
public sealed class NetworkContextReloader(IClickHouseStore store, TimeProvider time)
{
    public async Task<NetworkContextReload> ReloadIfChangedAsync(NetworkContextFiles files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!files.Any)
        {
            return new NetworkContextReload(NetworkContextReloadOutcome.NotConfigured, 0, string.Empty, null);
        }

        string fingerprint;
        IReadOnlyList<NetworkContextRow> rows;
        try
        {
            fingerprint = files.Fingerprint();
            var loaded = await store.QueryScalarAsync($"SELECT any(source) FROM {NetworkContextStore.Table}", cancellationToken).ConfigureAwait(false);
            if (string.Equals(loaded, fingerprint, StringComparison.Ordinal))
            {
                return new NetworkContextReload(NetworkContextReloadOutcome.Unchanged, 0, fingerprint, null);
            }

            rows = files.Read();
        }
        catch (Exception e) when (e is FileNotFoundException or FormatException or IOException)
        {
            return new NetworkContextReload(NetworkContextReloadOutcome.Refused, 0, string.Empty, e.Message + " The network context was left as it was.");
        }

        var networks = await new NetworkContextStore(store).ReplaceAsync(rows, fingerprint, time, cancellationToken).ConfigureAwait(false);
        return new NetworkContextReload(NetworkContextReloadOutcome.Reloaded, networks, fingerprint, null);
    }
}
