using System.Globalization;
using System.Text;
using System.Text.Json;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Cli.Output;

/// <summary>What <c>relaywatch status</c> reports: the engine, where the data is, and what the tables hold.</summary>
internal sealed record StoreStatus(
    string Engine, string EngineVersion, string Location, string Database, int SchemaVersion,
    IReadOnlyList<TableStatus> Tables, IReadOnlyList<IngestStatus> Ingest, OurEstate? Ours)
{
    /// <summary>The public tables, in the order they are reported.</summary>
    private static readonly string[] ReportedTables = ["smtp_events", "findings", "ip_scores", "blocklist_changes"];

    /// <summary>The newest reputation model in one line; null when none has been trained.</summary>
    public string? Model { get; init; }

    /// <summary>Subjects listed on the blocklist now (the exports leave out those a listed network covers).</summary>
    public long BlocklistListed { get; init; }

    /// <summary>Subjects held for review.</summary>
    public long BlocklistReview { get; init; }

    /// <summary>What the syslog listener dropped, by reason, over all its runs.</summary>
    public IReadOnlyList<ListenerDropStatus> ListenerDrops { get; init; } = [];

    /// <param name="estate">When given, what is ours is settled (configured or inferred) as of the latest day with events.</param>
    public static async Task<StoreStatus> ReadAsync(IClickHouseStore store, CancellationToken cancellationToken, EstateSettings? estate = null)
    {
        var version = await store.QueryScalarAsync("SELECT version()", cancellationToken).ConfigureAwait(false) ?? "unknown";
        var schema = await store.QueryScalarAsync("SELECT max(version) FROM schema_migrations", cancellationToken).ConfigureAwait(false);
        var parts = new Dictionary<string, (long Rows, long Bytes)>(StringComparer.Ordinal);
        foreach (var row in await store.QueryListAsync(
            "SELECT table, sum(rows), sum(bytes_on_disk) FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table",
            null, cancellationToken).ConfigureAwait(false))
        {
            parts[row[0]] = (long.Parse(row[1], CultureInfo.InvariantCulture), long.Parse(row[2], CultureInfo.InvariantCulture));
        }

        // Parts count rows that a lightweight DELETE has masked (findings are replaced that way), so count the rows themselves.
        foreach (var table in ReportedTables.Where(parts.ContainsKey))
        {
            var rows = await store.QueryScalarAsync($"SELECT count() FROM {table}", cancellationToken).ConfigureAwait(false);
            parts[table] = (long.Parse(rows ?? "0", CultureInfo.InvariantCulture), parts[table].Bytes);
        }

        var ranges = new Dictionary<string, (string First, string Last)>(StringComparer.Ordinal);
        foreach (var (table, column) in new[] { ("smtp_events", "ts"), ("findings", "day"), ("ip_scores", "day"), ("blocklist_changes", "changed_at") })
        {
            if (parts.TryGetValue(table, out var p) && p.Rows > 0)
            {
                var range = await store.QueryListAsync($"SELECT toString(min({column})), toString(max({column})) FROM {table}", null, cancellationToken).ConfigureAwait(false);
                ranges[table] = (range[0][0], range[0][1]);
            }
        }

        var tables = ReportedTables.Select(name =>
        {
            var (rows, bytes) = parts.GetValueOrDefault(name);
            var (first, last) = ranges.GetValueOrDefault(name);
            return new TableStatus(name, rows, bytes, first, last);
        }).ToList();

        var ingest = (await store.QueryListAsync(
            """
            SELECT format, count(), sum(line), sum(events), sum(skipped), sum(unrecognised), sum(repaired)
            FROM ingest_checkpoints FINAL GROUP BY format ORDER BY format
            """,
            null, cancellationToken).ConfigureAwait(false))
            .Select(r => new IngestStatus(r[0], L(r[1]), L(r[2]), L(r[3]), L(r[4]), L(r[5]), L(r[6])))
            .ToList();

        var listenerDrops = (await store.QueryListAsync(
            "SELECT reason, sum(dropped) FROM listener_drops FINAL GROUP BY reason ORDER BY reason", null, cancellationToken).ConfigureAwait(false))
            .Select(r => new ListenerDropStatus(r[0], L(r[1])))
            .ToList();

        var ours = estate is not null && ranges.TryGetValue("smtp_events", out var events)
            ? await EstateResolver.ResolveAsync(store, estate, DateOnly.FromDateTime(DateTime.Parse(events.Last, CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false)
            : null;
        var model = await RelayWatch.Analysis.Scoring.ModelRepository.NewestAsync(store, null, cancellationToken).ConfigureAwait(false);
        var blocklist = await store.QueryListAsync(
            """
            SELECT countIf(state = 'listed' AND expires > now64(3)), countIf(state = 'review')
            FROM (SELECT argMax(action, changed_at) AS state, argMax(expires_at, changed_at) AS expires FROM blocklist_changes GROUP BY subject)
            """,
            null, cancellationToken).ConfigureAwait(false);
        return new StoreStatus(store.Info.Engine, version, store.Info.Location, store.Info.Database,
            int.Parse(schema ?? "0", CultureInfo.InvariantCulture), tables, ingest, ours)
        {
            Model = model is null ? null : string.Create(CultureInfo.InvariantCulture,
                $"{model.Version} ({model.Kind}), learnt from {model.TrainingWindow.First:yyyy-MM-dd} to {model.TrainingWindow.Last:yyyy-MM-dd}{(model.Evaluation is { } m ? $"; held-out ROC AUC {m.RocAuc:F3}, recall {m.RecallAtFpr01:F3} at 0.1% false positives" : string.Empty)}"),
            BlocklistListed = L(blocklist[0][0]),
            BlocklistReview = L(blocklist[0][1]),
            ListenerDrops = listenerDrops,
        };

        static long L(string text) => long.Parse(text, CultureInfo.InvariantCulture);
    }

    public string ToText()
    {
        var text = new StringBuilder();
        var engine = Engine == "embedded" ? $"embedded (chDB, ClickHouse {EngineVersion})" : $"server (ClickHouse {EngineVersion})";
        text.AppendLine(CultureInfo.InvariantCulture, $"engine     {engine}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{(Engine == "embedded" ? "data       " : "server     ")}{Location}");
        text.AppendLine(CultureInfo.InvariantCulture, $"database   {Database} (schema version {SchemaVersion})");
        text.AppendLine("tables");
        foreach (var table in Tables)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {table.Name,-17} {table.Rows,14:N0} rows  {FormatBytes(table.BytesOnDisk),10}");
            if (table.First is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {table.First} .. {table.Last}");
            }

            text.AppendLine();
        }

        if (Ingest.Count > 0)
        {
            text.AppendLine("ingested");
            foreach (var format in Ingest)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {format.Format,-12} {format.Files,6:N0} sources {format.Lines,14:N0} lines {format.Events,14:N0} events {format.Skipped,12:N0} skipped {format.Unrecognised,10:N0} unrecognised {format.Repaired,8:N0} repaired");
            }
        }

        if (ListenerDrops.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"listener   dropped {string.Join(", ", ListenerDrops.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Dropped:N0} {d.Reason}")))}");
        }

        if (Ours is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"ours       {Commands.DetectCommand.EstateText(Ours)}");
        }

        text.AppendLine($"model      {Model ?? "none trained yet (relaywatch train)"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"blocklist  {BlocklistListed:N0} listed, {BlocklistReview:N0} held for review");

        return text.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(this, StatusJson.Default.StoreStatus);

    private static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):F2} GiB"),
    };
}
