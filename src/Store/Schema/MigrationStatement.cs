using System.Text.RegularExpressions;

namespace RelayWatch.Store.Schema;

/// <summary>
/// One statement of a migration, as far as its structure matters for laying it out on a cluster:
/// a <see cref="CreateTableStatement"/>, an <see cref="AlterTableStatement"/>, or anything else
/// (<see cref="OtherStatement"/>, with the reason it was not understood).
/// </summary>
internal abstract partial record MigrationStatement(string Text)
{
    public static MigrationStatement Parse(string text)
    {
        var shape = new SqlShape(text);
        if (!shape.Balanced)
        {
            return new OtherStatement(text, "its brackets or quotes are not balanced");
        }

        var create = CreateHead().Match(shape.Masked);
        if (create.Success)
        {
            return CreateTableStatement.Parse(shape, create);
        }

        var alter = AlterHead().Match(shape.Masked);
        if (alter.Success)
        {
            return AlterTableStatement.Parse(shape, alter);
        }

        return new OtherStatement(text, "only CREATE TABLE and ALTER TABLE statements are understood");
    }

    [GeneratedRegex(@"\A\s*CREATE\s+TABLE\s+(?<ifNotExists>IF\s+NOT\s+EXISTS\s+)?", RegexOptions.IgnoreCase)]
    private static partial Regex CreateHead();

    [GeneratedRegex(@"\A\s*ALTER\s+TABLE\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AlterHead();

    /// <summary>A plain table name: no database, no quoting (what the migrations use).</summary>
    [GeneratedRegex(@"\G(?<name>[A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_.#])")]
    internal static partial Regex TableName();

    [GeneratedRegex(@"\G\s*ON\s+CLUSTER\b", RegexOptions.IgnoreCase)]
    internal static partial Regex OnCluster();
}
