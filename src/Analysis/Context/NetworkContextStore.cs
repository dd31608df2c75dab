using System.Globalization;
using System.Text;
using System.Text.Json;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Context;

/// <summary>
/// Network context in ClickHouse: the networks live in <c>network_context_networks</c> (migration 0013) and are
/// looked up through the <c>ip_trie</c> dictionary <c>network_context</c>, so any query can say
/// <c>dictGet('network_context', 'asn', client_ip)</c>. The dictionary's source is the local table, named without a
/// host, which the embedded engine and a server read alike. An empty table means context is off: lookups
/// return 0 and empty strings.
/// </summary>
public sealed class NetworkContextStore(IClickHouseStore store)
{
    public const string Dictionary = "network_context";
    public const string Table = "network_context_networks";
    private const string Staging = "network_context_networks_loading";

    /// <summary>Subjects per lookup query: the server engine carries query parameters in the URL, which servers cap at a few kB.</summary>
    private const int LookupChunk = 100;

    /// <summary>Creates the dictionary when it is missing (it is not in a migration: the cluster layout translates tables only).</summary>
    public async Task EnsureDictionaryAsync(CancellationToken cancellationToken)
    {
        await store.ExecuteAsync(
            $"""
            CREATE DICTIONARY IF NOT EXISTS {Dictionary}
            (
                network String,
                asn UInt32,
                organisation String,
                country String
            )
            PRIMARY KEY network
            SOURCE(CLICKHOUSE(TABLE '{Table}' DB '{store.Info.Database}'))
            LAYOUT(IP_TRIE)
            LIFETIME(0)
            """,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces every network at once: the rows go into a loading table, which then trades places with the live
    /// one (<c>EXCHANGE TABLES</c>, atomic), and the dictionary is reloaded. Readers see the old set or the new one.
    /// </summary>
    /// <returns>The number of networks now loaded.</returns>
    public async Task<long> ReplaceAsync(IReadOnlyList<NetworkContextRow> rows, string source, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(time);
        await EnsureDictionaryAsync(cancellationToken).ConfigureAwait(false);
        await store.ExecuteAsync($"DROP TABLE IF EXISTS {Staging}", cancellationToken).ConfigureAwait(false);
        await store.ExecuteAsync($"CREATE TABLE {Staging} AS {Table}", cancellationToken).ConfigureAwait(false);
        var loadedAt = time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var written = 0L;
        if (rows.Count > 0)
        {
            written = await store.InsertAsync(
                new BulkInsert(Staging, ["network", "asn", "organisation", "country", "source", "loaded_at"], "JSONEachRow"),
                async (stream, token) =>
                {
                    await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                    foreach (var row in rows)
                    {
                        await writer.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                        {
                            ["network"] = row.Network.ToString(),
                            ["asn"] = row.Asn,
                            ["organisation"] = row.Organisation,
                            ["country"] = row.Country,
                            ["source"] = source,
                            ["loaded_at"] = loadedAt,
                        }).AsMemory(), token).ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }

        await store.ExecuteAsync($"EXCHANGE TABLES {Staging} AND {Table}", cancellationToken).ConfigureAwait(false);
        await store.ExecuteAsync($"DROP TABLE IF EXISTS {Staging}", cancellationToken).ConfigureAwait(false);
        await store.ExecuteAsync($"SYSTEM RELOAD DICTIONARY {Dictionary}", cancellationToken).ConfigureAwait(false);
        return written;
    }

    /// <summary>How many networks are loaded; 0 means context is off.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken) =>
        long.Parse(await store.QueryScalarAsync($"SELECT count() FROM {Table}", cancellationToken).ConfigureAwait(false) ?? "0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The context of each subject that is an address (or a network, by its first address) and has any; other
    /// subjects (logins, domains) and unknown addresses are left out. Empty when context is off.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, NetworkContext>> LookupAsync(IEnumerable<string> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var distinct = subjects.Distinct(StringComparer.Ordinal).ToList();
        var found = new Dictionary<string, NetworkContext>(StringComparer.Ordinal);
        if (distinct.Count == 0 || await CountAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return found;
        }

        await EnsureDictionaryAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in distinct.Chunk(LookupChunk))
        {
            await LookupAsync(chunk, found, cancellationToken).ConfigureAwait(false);
        }

        return found;
    }

    private async Task LookupAsync(string[] subjects, Dictionary<string, NetworkContext> found, CancellationToken cancellationToken)
    {
        var rows = await store.QueryListAsync(
            $$"""
            SELECT subject, dictGet('{{Dictionary}}', 'asn', address), dictGet('{{Dictionary}}', 'organisation', address), dictGet('{{Dictionary}}', 'country', address)
            FROM
            (
                SELECT subject, toIPv6OrNull(splitByChar('/', subject)[1]) AS address
                FROM (SELECT arrayJoin({subjects:Array(String)}) AS subject)
            )
            WHERE address IS NOT NULL
            """,
            new Dictionary<string, string> { ["subjects"] = SqlText.QuoteArray(subjects) },
            cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            var context = new NetworkContext(uint.Parse(row[1], CultureInfo.InvariantCulture), row[2], row[3]);
            if (context.IsKnown)
            {
                found[row[0]] = context;
            }
        }
    }
}
