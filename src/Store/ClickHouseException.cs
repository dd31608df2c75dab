using System.Globalization;
using System.Text.RegularExpressions;

namespace RelayWatch.Store;

/// <summary>
/// An error reported by ClickHouse itself (either engine): its numeric code, its symbolic name
/// such as <c>SYNTAX_ERROR</c>, and its own message text.
/// </summary>
public sealed partial class ClickHouseException : Exception
{
    public ClickHouseException(int code, string name, string message)
        : base(message)
    {
        Code = code;
        Name = name;
    }

    /// <summary>ClickHouse's error code, e.g. 62 for a syntax error; 0 when the text carried none.</summary>
    public int Code { get; }

    /// <summary>ClickHouse's error name, e.g. <c>SYNTAX_ERROR</c>; empty when the text carried none.</summary>
    public string Name { get; }

    /// <summary>
    /// Builds the exception from ClickHouse's error text, which reads
    /// <c>Code: 62. DB::Exception: Syntax error: … (SYNTAX_ERROR) (version 26.7.1)</c>.
    /// The message keeps ClickHouse's wording without the version suffix.
    /// </summary>
    public static ClickHouseException FromErrorText(string text)
    {
        var trimmed = VersionSuffix().Replace(text.Trim(), string.Empty);
        var match = CodeAndMessage().Match(trimmed);
        if (!match.Success)
        {
            return new ClickHouseException(0, string.Empty, trimmed);
        }

        var code = int.Parse(match.Groups["code"].Value, CultureInfo.InvariantCulture);
        var name = match.Groups["name"].Success ? match.Groups["name"].Value : string.Empty;
        return new ClickHouseException(code, name, trimmed);
    }

    [GeneratedRegex(@"\s*\(version [^)]*\)\s*\.?\s*$")]
    private static partial Regex VersionSuffix();

    [GeneratedRegex(@"^Code: (?<code>\d+)[.,].*?(?:\((?<name>[A-Z][A-Z0-9_]+)\))?\s*$", RegexOptions.Singleline)]
    private static partial Regex CodeAndMessage();
}
