using System.Globalization;

namespace RelayWatch.Ingest.Loading;

/// <summary>Deduplication tokens: a batch is named by its file and byte range, so a re-send carries the same name.</summary>
internal static class Tokens
{
    public static string Batch(string fileKey, long start, long end) => string.Create(CultureInfo.InvariantCulture, $"{fileKey}:{start}:{end}");
}
