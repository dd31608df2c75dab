using System.Text;
using System.Text.RegularExpressions;

namespace RelayWatch.Store;

/// <summary>
/// Turns the values callers give for <c>{name:Type}</c> placeholders into the text ClickHouse's own
/// parameter parser reads, the same for both engines. ClickHouse reads every parameter value with its
/// type's "escaped" text deserialisation (as one TabSeparated field), so:
/// <list type="bullet">
/// <item>a scalar value (String, FixedString, IPv6, Date, DateTime64, numbers, …) is the value itself;
/// here it is escaped (<c>\</c>, tab, newline) so that it reads back exactly as given;</item>
/// <item>a composite value (<c>Array(…)</c>, <c>Tuple(…)</c>, <c>Map(…)</c>) is ClickHouse's text form of
/// the value, elements quoted as literals (<c>['a','b']</c>, see <see cref="SqlText.QuoteArray"/>),
/// and travels as given;</item>
/// <item>for a <c>Nullable(…)</c> placeholder the value <c>\N</c> is NULL;</item>
/// <item>an <c>Identifier</c> value travels as given (ClickHouse quotes it itself).</item>
/// </list>
/// The placeholder's type is read from the statement, so the rule depends on what the SQL declares,
/// never on what the value looks like.
/// </summary>
internal static partial class QueryParameters
{
    /// <summary>The values as ClickHouse must receive them for <paramref name="sql"/>, or null when there are none.</summary>
    public static IReadOnlyDictionary<string, string>? Render(string sql, IReadOnlyDictionary<string, string>? parameters)
    {
        if (parameters is not { Count: > 0 })
        {
            return parameters;
        }

        var types = PlaceholderTypes(sql);
        var rendered = new Dictionary<string, string>(parameters.Count, StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            rendered[name] = types.TryGetValue(name, out var type) ? Render(type, value) : Escape(value);
        }

        return rendered;
    }

    /// <summary>One value for a placeholder of type <paramref name="type"/>.</summary>
    public static string Render(string type, string value)
    {
        var (inner, nullable) = Unwrap(type);
        if (nullable && value == @"\N")
        {
            return value;
        }

        return IsTextForm(inner) ? value : Escape(value);
    }

    /// <summary>
    /// The placeholders of a statement, name → declared type, outside string literals, quoted
    /// identifiers and comments. A name used twice keeps its first type (ClickHouse requires them equal).
    /// </summary>
    public static IReadOnlyDictionary<string, string> PlaceholderTypes(string sql)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"' or '`')
            {
                i = SkipQuoted(sql, i, c);
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else if (c == '{' && Placeholder().Match(sql, i) is { Success: true } match)
            {
                types.TryAdd(match.Groups["name"].Value, match.Groups["type"].Value.Trim());
                i += match.Length;
            }
            else
            {
                i++;
            }
        }

        return types;
    }

    /// <summary>TabSeparated escaping, which ClickHouse's escaped deserialisation undoes.</summary>
    public static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '\t', '\n') < 0)
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': escaped.Append(@"\\"); break;
                case '\t': escaped.Append(@"\t"); break;
                case '\n': escaped.Append(@"\n"); break;
                default: escaped.Append(c); break;
            }
        }

        return escaped.ToString();
    }

    private static (string Inner, bool Nullable) Unwrap(string type)
    {
        var nullable = false;
        var inner = type.Trim();
        while (true)
        {
            if (Wrapped(inner, "Nullable") is { } underNullable)
            {
                nullable = true;
                inner = underNullable;
            }
            else if (Wrapped(inner, "LowCardinality") is { } underLowCardinality)
            {
                inner = underLowCardinality;
            }
            else
            {
                return (inner, nullable);
            }
        }
    }

    private static string? Wrapped(string type, string wrapper) =>
        type.StartsWith(wrapper + "(", StringComparison.OrdinalIgnoreCase) && type.EndsWith(')')
            ? type[(wrapper.Length + 1)..^1].Trim()
            : null;

    private static bool IsTextForm(string type) =>
        type.StartsWith("Array(", StringComparison.OrdinalIgnoreCase)
        || type.StartsWith("Tuple(", StringComparison.OrdinalIgnoreCase)
        || type.StartsWith("Map(", StringComparison.OrdinalIgnoreCase)
        || type.StartsWith("Nested(", StringComparison.OrdinalIgnoreCase)
        || type.Equals("Identifier", StringComparison.OrdinalIgnoreCase);

    /// <summary>Index just past a quoted run starting at <paramref name="start"/>; backslash escapes and doubled quotes stay inside.</summary>
    private static int SkipQuoted(string sql, int start, char quote)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (sql[i] == '\\')
            {
                i += 2;
            }
            else if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }

        return sql.Length;
    }

    [GeneratedRegex(@"\G\{\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?<type>[^{}]+?)\s*\}")]
    private static partial Regex Placeholder();
}
