using System.Text.RegularExpressions;

namespace RelayWatch.Store.Schema;

/// <summary>
/// <c>CREATE TABLE [IF NOT EXISTS] name (elements) ENGINE = Engine[(arguments)] tail</c>, where the tail holds
/// PARTITION BY, ORDER BY, SETTINGS and the like. <see cref="Body"/> is the text from the name to
/// <c>ENGINE</c>, kept verbatim so that a rewritten statement keeps its columns exactly.
/// </summary>
internal sealed partial record CreateTableStatement(
    string Text,
    string Head,
    string Table,
    string Body,
    IReadOnlyList<string> Elements,
    string Engine,
    string? EngineArguments,
    string Tail) : MigrationStatement(Text)
{
    /// <summary>The names of the columns (elements other than INDEX, PROJECTION and CONSTRAINT).</summary>
    public IReadOnlyList<string> Columns { get; } = [.. Elements
        .Select(e => LeadingComments().Replace(e, string.Empty))
        .Where(e => !NotAColumn().IsMatch(e))
        .Select(e => ColumnName().Match(e))
        .Where(m => m.Success)
        .Select(m => m.Groups["name"].Value)];

    /// <summary>The ORDER BY expression's elements (a tuple's members, or the one expression); empty when there is none.</summary>
    public IReadOnlyList<string> SortingKey { get; } = ReadSortingKey(Tail);

    internal static MigrationStatement Parse(SqlShape shape, Match head)
    {
        var text = shape.Text;
        if (!TryReadTable(shape, head, out var name, out var afterName, out var refused))
        {
            return refused!;
        }

        var open = Opening().Match(shape.Masked, afterName);
        if (!open.Success)
        {
            return new OtherStatement(text, "only CREATE TABLE name (columns) ENGINE = … is understood");
        }

        var openIndex = open.Index + open.Length - 1;
        var close = shape.Closing(openIndex);
        var engine = EngineClause().Match(shape.Masked, close + 1);
        if (!engine.Success)
        {
            return new OtherStatement(text, "its columns are not followed by ENGINE = …");
        }

        var engineEnd = engine.Index + engine.Length;
        string? arguments = null;
        var argumentsOpen = Opening().Match(shape.Masked, engineEnd);
        if (argumentsOpen.Success)
        {
            var argumentsOpenIndex = argumentsOpen.Index + argumentsOpen.Length - 1;
            var argumentsClose = shape.Closing(argumentsOpenIndex);
            arguments = text[(argumentsOpenIndex + 1)..argumentsClose].Trim();
            engineEnd = argumentsClose + 1;
        }

        if (AsClause().IsMatch(shape.Masked[engineEnd..]))
        {
            return new OtherStatement(text, "CREATE TABLE … AS … is not understood");
        }

        return new CreateTableStatement(
            text,
            text[..name.Index].Trim(),
            name.Groups["name"].Value,
            text[afterName..engine.Groups["keyword"].Index],
            shape.SplitAtCommas(openIndex + 1, close),
            engine.Groups["engine"].Value,
            arguments,
            text[engineEnd..]);
    }

    private static List<string> ReadSortingKey(string tail)
    {
        var shape = new SqlShape(tail);
        var orderBy = OrderByClause().Match(shape.Masked);
        if (!orderBy.Success)
        {
            return [];
        }

        var start = orderBy.Index + orderBy.Length;
        var next = NextClause().Match(shape.Masked, start);
        var key = tail[start..(next.Success ? next.Index : tail.Length)].Trim();
        var keyShape = new SqlShape(key);
        if (key.Length > 0 && key[0] == '(' && keyShape.Closing(0) == key.Length - 1)
        {
            // A tuple: its members; tuple() and () are no key at all.
            return [.. keyShape.SplitAtCommas(1, key.Length - 1).Where(k => k.Length > 0)];
        }

        return key.Length == 0 || TupleOfNothing().IsMatch(key) ? [] : [key];
    }

    [GeneratedRegex(@"\G\s*\(")]
    private static partial Regex Opening();

    [GeneratedRegex(@"\G\s*(?<keyword>ENGINE)\s*=\s*(?<engine>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.IgnoreCase)]
    private static partial Regex EngineClause();

    [GeneratedRegex(@"\bAS\b", RegexOptions.IgnoreCase)]
    private static partial Regex AsClause();

    [GeneratedRegex(@"\bORDER\s+BY\b", RegexOptions.IgnoreCase)]
    private static partial Regex OrderByClause();

    [GeneratedRegex(@"\b(?:PARTITION\s+BY|PRIMARY\s+KEY|SAMPLE\s+BY|TTL|SETTINGS|COMMENT)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NextClause();

    [GeneratedRegex(@"\A\s*tuple\s*\(\s*\)\s*\z", RegexOptions.IgnoreCase)]
    private static partial Regex TupleOfNothing();

    [GeneratedRegex(@"\A(?:INDEX|PROJECTION|CONSTRAINT)\s", RegexOptions.IgnoreCase)]
    private static partial Regex NotAColumn();

    [GeneratedRegex(@"\A(?:\s*(?:--[^\n]*(?:\n|\z)|/\*.*?\*/))*\s*", RegexOptions.Singleline)]
    private static partial Regex LeadingComments();

    [GeneratedRegex(@"\A`?(?<name>[A-Za-z_][A-Za-z0-9_]*)`?")]
    private static partial Regex ColumnName();
}
