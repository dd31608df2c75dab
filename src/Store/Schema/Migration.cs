using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RelayWatch.Store.Schema;

/// <summary>One versioned step of the schema, shipped as <c>Schema/Migrations/NNNN_name.sql</c>.</summary>
/// <param name="Checksum">SHA-256 of the file: a shipped migration must never change once applied.</param>
internal sealed partial record Migration(int Version, string Name, IReadOnlyList<string> Statements, string Checksum)
{
    private const string ResourcePrefix = "RelayWatch.Store.Migrations.";

    /// <summary>Every migration compiled into this assembly, in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    private static List<Migration> Load()
    {
        var assembly = typeof(Migration).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var fileName = resource[ResourcePrefix.Length..];
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException($"The migration file {fileName} is not named NNNN_name.sql.");
            }

            var text = Read(assembly, resource);
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                SplitStatements(text),
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }

    /// <summary>Statements end with a semicolon at the end of a line; comment lines are dropped.</summary>
    internal static List<string> SplitStatements(string text)
    {
        var withoutComments = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        return [.. StatementEnd().Split(withoutComments).Select(s => s.Trim()).Where(s => s.Length > 0)];
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();

    [GeneratedRegex(@";[ \t]*(?:\n|$)")]
    private static partial Regex StatementEnd();
}
