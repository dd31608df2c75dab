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
    /// <summary>
    /// The plain table name (group <c>name</c>) that follows <c>CREATE TABLE</c> or <c>ALTER TABLE</c> (<paramref name="head"/>) and where
    /// it ends; or, as <paramref name="refused"/>, why the statement cannot be laid out.
    /// </summary>
    internal static bool TryReadTable(SqlShape shape, Match head, out Match name, out int end, out OtherStatement? refused)
    {
        name = TableName().Match(shape.Masked, head.Index + head.Length);
        (end, refused) = (0, null);
        if (!name.Success)
        {
            refused = new OtherStatement(shape.Text, "the table must be named plainly, without a database or quotes");
            return false;
        }

        end = name.Index + name.Length;
        if (OnCluster().IsMatch(shape.Masked, end))
        {
            refused = new OtherStatement(shape.Text, "it already names a cluster");
            return false;
        }

        return true;
    }

    [GeneratedRegex(@"\G(?<name>[A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_.#])")]
    internal static partial Regex TableName();

    [GeneratedRegex(@"\G\s*ON\s+CLUSTER\b", RegexOptions.IgnoreCase)]
    internal static partial Regex OnCluster();
}
