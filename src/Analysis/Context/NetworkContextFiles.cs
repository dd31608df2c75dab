using System.Globalization;

namespace RelayWatch.Analysis.Context;

/// <summary>
/// The files an operator configures for network context (the configuration's <c>context</c> section): MaxMind-format
/// ASN and Country databases, or instead a CSV <c>network,asn,organisation,country</c>.
/// </summary>
public sealed record NetworkContextFiles(string? AsnDatabase, string? CountryDatabase, string? Csv)
{
    /// <summary>Whether any file is configured.</summary>
    public bool Any => AsnDatabase is not null || CountryDatabase is not null || Csv is not null;

    private IEnumerable<string> Paths => Csv is { } csv ? [csv] : new[] { AsnDatabase, CountryDatabase }.OfType<string>();

    /// <summary>
    /// What the files are now — each one's name, size and last write time (UTC) — in one line, stored as the loaded
    /// networks' <c>source</c>: a load whose files still read the same needs no reload.
    /// </summary>
    /// <exception cref="FileNotFoundException">A configured file is missing.</exception>
    public string Fingerprint() => string.Join(" + ", Paths.Select(path =>
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"{path} does not exist.", path);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{file.Name} ({file.Length} bytes, modified {file.LastWriteTimeUtc:yyyy-MM-ddTHH:mm:ss.fffZ})");
    }));

    /// <summary>Reads the networks: the CSV, or the two databases merged.</summary>
    /// <exception cref="FormatException">A file is not what it should be (a sentence naming it).</exception>
    public IReadOnlyList<NetworkContextRow> Read()
    {
        if (Csv is { } csv)
        {
            using var reader = new StreamReader(csv);
            return NetworkContextCsv.Read(reader, csv);
        }

        return NetworkContextMerge.Merge(
            AsnDatabase is { } asn ? MaxMindDatabase.ReadAsn(asn) : [],
            CountryDatabase is { } country ? MaxMindDatabase.ReadCountry(country) : []);
    }
}
