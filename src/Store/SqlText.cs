using System.Text;

namespace RelayWatch.Store;

/// <summary>Quoting for the few places where a name or value must be written into SQL text.</summary>
public static class SqlText
{
    /// <summary>A string literal: <c>'it\'s'</c>.</summary>
    public static string QuoteString(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': quoted.Append(@"\\"); break;
                case '\'': quoted.Append(@"\'"); break;
                case '\n': quoted.Append(@"\n"); break;
                case '\r': quoted.Append(@"\r"); break;
                case '\t': quoted.Append(@"\t"); break;
                case '\0': quoted.Append(@"\0"); break;
                default: quoted.Append(c); break;
            }
        }

        return quoted.Append('\'').ToString();
    }

    /// <summary>An array of string literals, <c>['a','b']</c>: also the text form of an <c>Array(String)</c> query parameter.</summary>
    public static string QuoteArray(IEnumerable<string> values) => "[" + string.Join(",", values.Select(QuoteString)) + "]";

    /// <summary>An identifier in backquotes: <c>`size`</c>.</summary>
    public static string QuoteIdentifier(string name) =>
        "`" + name.Replace("\\", @"\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";

    /// <summary>Whether a semicolon is followed by more text (comments and whitespace aside, roughly): a sign of several statements.</summary>
    public static bool HasInnerSemicolon(string sql)
    {
        var trimmed = sql.AsSpan().TrimEnd();
        while (trimmed.EndsWith(";"))
        {
            trimmed = trimmed[..^1].TrimEnd();
        }

        return trimmed.Contains(';');
    }
}
