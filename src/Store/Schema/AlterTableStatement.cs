using System.Text.RegularExpressions;

namespace RelayWatch.Store.Schema;

/// <summary><c>ALTER TABLE name command[, command…]</c>.</summary>
internal sealed partial record AlterTableStatement(string Text, string Table, IReadOnlyList<AlterCommand> Commands) : MigrationStatement(Text)
{
    internal static MigrationStatement Parse(SqlShape shape, Match head)
    {
        var text = shape.Text;
        if (!TryReadTable(shape, head, out var name, out var afterName, out var refused))
        {
            return refused!;
        }

        var commands = shape.SplitAtCommas(afterName, text.Length)
            .Select(c => new AlterCommand(Classify(c), c))
            .ToList();
        return commands.Any(c => c.Text.Length == 0)
            ? new OtherStatement(text, "it has an empty command")
            : new AlterTableStatement(text, name.Groups["name"].Value, commands);
    }

    private static AlterCommandKind Classify(string command) =>
        ColumnsCommand().IsMatch(command) ? AlterCommandKind.Columns
        : ModifyColumnCommand().IsMatch(command) ? AlterCommandKind.ModifyColumn
        : StorageCommand().IsMatch(command) ? AlterCommandKind.Storage
        : AlterCommandKind.Unknown;

    [GeneratedRegex(@"\A(?:ADD|DROP|RENAME|COMMENT)\s+COLUMN\s", RegexOptions.IgnoreCase)]
    private static partial Regex ColumnsCommand();

    [GeneratedRegex(@"\AMODIFY\s+COLUMN\s", RegexOptions.IgnoreCase)]
    private static partial Regex ModifyColumnCommand();

    // MODIFY ORDER BY is left out on purpose: a shard key may derive from the sorting key.
    [GeneratedRegex(
        @"\A(?:(?:MODIFY|RESET)\s+SETTING|(?:MODIFY|REMOVE|MATERIALIZE)\s+TTL|(?:MATERIALIZE|CLEAR)\s+(?:COLUMN|INDEX|PROJECTION)|(?:ADD|DROP)\s+(?:INDEX|PROJECTION)" +
        @"|(?:DROP|DETACH|ATTACH|MOVE|FETCH|REPLACE)\s+(?:PARTITION|PART)|(?:FREEZE|UNFREEZE)\b|DELETE\s+WHERE|UPDATE\s)",
        RegexOptions.IgnoreCase)]
    private static partial Regex StorageCommand();
}
