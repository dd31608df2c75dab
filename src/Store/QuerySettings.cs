using System.Text.RegularExpressions;

namespace RelayWatch.Store;

/// <summary>
/// ClickHouse settings given to one statement (<see cref="IClickHouseStore.QueryAsync(string, string, Stream, IReadOnlyDictionary{string, string}?, IReadOnlyDictionary{string, string}, CancellationToken)"/>).
/// The embedded engine writes them into <c>SET</c> statements, so their text is held to plain names and
/// plain values here, whoever calls.
/// </summary>
internal static partial class QuerySettings
{
    /// <exception cref="ArgumentException">A name or value is outside the plain characters.</exception>
    public static void Validate(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (name, value) in settings)
        {
            if (!Name().IsMatch(name) || !Value().IsMatch(value))
            {
                throw new ArgumentException($"The setting {name} = {value} is not a plain name and value.", nameof(settings));
            }
        }
    }

    /// <summary>The <c>SET</c> statement for one validated setting: a number as itself, any other value quoted.</summary>
    public static string SetStatement(string name, string value) =>
        Number().IsMatch(value) ? $"SET {name} = {value}" : $"SET {name} = '{value}'";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,99}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z0-9_.]{1,100}$")]
    private static partial Regex Value();

    [GeneratedRegex(@"^\d+(\.\d+)?$")]
    private static partial Regex Number();
}
