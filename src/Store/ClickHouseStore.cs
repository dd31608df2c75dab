using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Store.Embedded;
using RelayWatch.Store.Schema;
using RelayWatch.Store.Server;

namespace RelayWatch.Store;

/// <summary>Opens the store the options describe and brings its schema up to date.</summary>
public static class ClickHouseStore
{
    /// <summary>
    /// Opens the embedded engine on <see cref="StoreOptions.DataDirectory"/>, or the server named by
    /// <see cref="StoreOptions.ConnectionString"/>, then applies pending migrations.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The engine or its data cannot be reached; the message says why.</exception>
    public static async Task<IClickHouseStore> OpenAsync(StoreOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var store = await OpenWithoutMigratingAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        try
        {
            var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(SchemaMigrator));
            await new SchemaMigrator(store, options, logger).MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens the store without touching its schema (for tools that only read, and for migration tests).</summary>
    public static async Task<IClickHouseStore> OpenWithoutMigratingAsync(StoreOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        options.Validate();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(ClickHouseStore));
        return options.UsesServer
            ? await ServerStore.OpenAsync(options, cancellationToken).ConfigureAwait(false)
            : await EmbeddedStore.OpenAsync(options, logger, cancellationToken).ConfigureAwait(false);
    }
}
