using System.Text.RegularExpressions;

namespace RelayWatch.Store.Schema;

/// <summary>
/// Turns the single-node migrations into DDL for a ClickHouse cluster, every statement <c>ON CLUSTER</c>:
/// <list type="bullet">
/// <item><c>CREATE TABLE t … ENGINE = X(args)</c> becomes a stored table <c>t_local</c> on every replica of
/// every shard, <c>ReplicatedX('/clickhouse/tables/{shard}/{database}/t_local', '{replica}'[, args])</c>,
/// and <c>t</c> itself a Distributed table over it, so that every query and insert keeps its table name.</item>
/// <item>The shard key keeps per-address aggregations on one shard: <c>cityHash64(client_ip)</c> when the
/// table has a <c>client_ip</c> column, else <c>cityHash64(ip)</c>, else <c>cityHash64(subject)</c>; otherwise
/// a hash of the whole sorting key, so that rows a ReplacingMergeTree collapses (same sorting key) meet on one
/// shard. For an engine that collapses rows (every *MergeTree but the plain one) an address column is the shard
/// key only when it is in the sorting key, for the same reason.</item>
/// <item><c>ALTER TABLE t</c>: column changes (ADD, DROP, RENAME, COMMENT COLUMN, and the type part of MODIFY
/// COLUMN) run on <c>t_local</c> and on <c>t</c>; storage-only changes (settings, TTL, codecs, skip indexes,
/// projections, parts and partitions, mutations) on <c>t_local</c> only.</item>
/// <item><c>non_replicated_deduplication_window</c> (the window for insert deduplication tokens on a plain
/// MergeTree) becomes <c>replicated_deduplication_window</c>, its replicated counterpart.</item>
/// </list>
/// Any other statement, engine or ALTER command is refused with a <see cref="ClusterLayoutException"/> that names
/// the migration and the statement: a cluster layout is never guessed.
/// </summary>
public sealed partial class ClusterLayout
{
    /// <summary>Appended to a table's name for its stored (replicated) part.</summary>
    public const string LocalSuffix = "_local";

    /// <summary>The columns that shard a table, in order of preference.</summary>
    internal static readonly string[] AddressColumns = ["client_ip", "ip", "subject"];

    private static readonly HashSet<string> MergeTreeFamily = new(StringComparer.Ordinal)
    {
        "MergeTree", "ReplacingMergeTree", "SummingMergeTree", "AggregatingMergeTree",
        "CollapsingMergeTree", "VersionedCollapsingMergeTree", "GraphiteMergeTree",
    };

    public ClusterLayout(string cluster)
    {
        if (!PlainName().IsMatch(cluster))
        {
            throw new ArgumentException($"The cluster name '{cluster}' is not a plain name (letters, digits and _, not starting with a digit).", nameof(cluster));
        }

        Cluster = cluster;
    }

    /// <summary>Whether <paramref name="name"/> can name a cluster here: letters, digits and _, not starting with a digit.</summary>
    public static bool IsPlainName(string name) => PlainName().IsMatch(name);

    /// <summary>The cluster's name in the servers' <c>remote_servers</c> configuration.</summary>
    public string Cluster { get; }

    /// <summary>The cluster form of one statement of migration <paramref name="migration"/> (e.g. "0004_ingest").</summary>
    internal IReadOnlyList<string> Translate(string migration, string statement) =>
        MigrationStatement.Parse(statement) switch
        {
            CreateTableStatement create => Create(migration, create),
            AlterTableStatement alter => Alter(migration, alter),
            OtherStatement other => throw Refuse(migration, statement, other.Reason),
            _ => throw Refuse(migration, statement, "it is of no known kind"),
        };

    /// <summary>The Distributed table's shard key for <paramref name="create"/>, by the rule above; null when there is none.</summary>
    internal static string? ShardKey(CreateTableStatement create)
    {
        var collapsesRows = !string.Equals(create.Engine, "MergeTree", StringComparison.Ordinal);
        foreach (var column in AddressColumns)
        {
            if (create.Columns.Contains(column, StringComparer.Ordinal)
                && (!collapsesRows || create.SortingKey.Contains(column, StringComparer.Ordinal)))
            {
                return $"cityHash64({column})";
            }
        }

        return create.SortingKey.Count == 0 ? null : $"cityHash64({string.Join(", ", create.SortingKey)})";
    }

    private string[] Create(string migration, CreateTableStatement create)
    {
        if (!MergeTreeFamily.Contains(create.Engine))
        {
            throw Refuse(migration, create.Text, $"the engine {create.Engine} has no replicated form here (only the MergeTree family has)");
        }

        var key = ShardKey(create)
            ?? throw Refuse(migration, create.Text, "the table has no client_ip, ip or subject column and no sorting key to shard by");
        var local = create.Table + LocalSuffix;
        var replication = $"'/clickhouse/tables/{{shard}}/{{database}}/{local}', '{{replica}}'";
        var arguments = string.IsNullOrEmpty(create.EngineArguments) ? replication : $"{replication}, {create.EngineArguments}";
        return
        [
            $"{create.Head} {local} ON CLUSTER {Cluster}{create.Body}ENGINE = Replicated{create.Engine}({arguments}){ReplicatedSettings(create.Tail)}",
            $"{create.Head} {create.Table} ON CLUSTER {Cluster} AS {local}\nENGINE = Distributed({Cluster}, currentDatabase(), {local}, {key})",
        ];
    }

    private List<string> Alter(string migration, AlterTableStatement alter)
    {
        if (alter.Commands.FirstOrDefault(c => c.Kind == AlterCommandKind.Unknown) is { } unknown)
        {
            throw Refuse(migration, alter.Text, $"the command '{unknown.Text}' is not understood");
        }

        var onLocal = alter.Commands.Select(c => c.Kind == AlterCommandKind.Storage ? ReplicatedSettings(c.Text) : c.Text).ToList();
        var onDistributed = alter.Commands
            .Select(c => c.Kind switch
            {
                AlterCommandKind.Columns => c.Text,
                AlterCommandKind.ModifyColumn => ColumnTypePart(migration, alter.Text, c.Text),
                _ => null,
            })
            .OfType<string>()
            .ToList();

        List<string> statements = [$"ALTER TABLE {alter.Table}{LocalSuffix} ON CLUSTER {Cluster} {string.Join(", ", onLocal)}"];
        if (onDistributed.Count > 0)
        {
            statements.Add($"ALTER TABLE {alter.Table} ON CLUSTER {Cluster} {string.Join(", ", onDistributed)}");
        }

        return statements;
    }

    /// <summary>
    /// What of a MODIFY COLUMN the Distributed table must follow: the column's type (and default, comment,
    /// position), without CODEC(…) and TTL, which concern storage; null when nothing is left.
    /// </summary>
    private static string? ColumnTypePart(string migration, string statement, string command)
    {
        var head = ModifyColumnHead().Match(command);
        if (!head.Success)
        {
            throw Refuse(migration, statement, $"the command '{command}' does not name its column plainly");
        }

        var rest = command[(head.Index + head.Length)..];
        if (StorageOnlyColumnChange().IsMatch(rest))
        {
            return null;
        }

        var shape = new SqlShape(rest);
        if (Codec().Match(shape.Masked) is { Success: true } codec)
        {
            var close = shape.Closing(codec.Index + codec.Length - 1);
            rest = rest[..codec.Index].TrimEnd() + " " + rest[(close + 1)..].TrimStart();
            shape = new SqlShape(rest);
        }

        if (Ttl().Match(shape.Masked) is { Success: true } ttl)
        {
            var next = AfterTtl().Match(shape.Masked, ttl.Index + ttl.Length);
            rest = rest[..ttl.Index].TrimEnd() + " " + (next.Success ? rest[next.Index..] : string.Empty);
        }

        rest = rest.Trim();
        return rest.Length == 0 ? null : $"{head.Value.TrimEnd()} {rest}";
    }

    private static string ReplicatedSettings(string text) => NonReplicatedDeduplicationWindow().Replace(text, "replicated_deduplication_window");

    private static ClusterLayoutException Refuse(string migration, string statement, string reason) =>
        new($"Migration {migration} cannot be laid out for a cluster: {reason}. The statement: {statement}");

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex PlainName();

    [GeneratedRegex(@"\AMODIFY\s+COLUMN\s+(?:IF\s+EXISTS\s+)?`?[A-Za-z_][A-Za-z0-9_]*`?(?:\s+|\z)", RegexOptions.IgnoreCase)]
    private static partial Regex ModifyColumnHead();

    [GeneratedRegex(@"\A\s*(?:REMOVE\b|MODIFY\s+SETTING\b|RESET\s+SETTING\b)", RegexOptions.IgnoreCase)]
    private static partial Regex StorageOnlyColumnChange();

    [GeneratedRegex(@"\bCODEC\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex Codec();

    [GeneratedRegex(@"\bTTL\b", RegexOptions.IgnoreCase)]
    private static partial Regex Ttl();

    [GeneratedRegex(@"\b(?:COMMENT|SETTINGS|AFTER|FIRST|CODEC)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AfterTtl();

    [GeneratedRegex(@"\bnon_replicated_deduplication_window\b")]
    private static partial Regex NonReplicatedDeduplicationWindow();
}
