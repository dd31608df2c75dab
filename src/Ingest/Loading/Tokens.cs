using System.Globalization;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// Deduplication tokens: a batch is named by its file, the file's generation (how often it was truncated and
/// written again from the same first line) and its byte range, so a re-send carries the same name and new
/// content never carries an old one. The first generation's names have no generation in them, as before there were any.
/// </summary>
internal static class Tokens
{
    public static string Batch(string fileKey, long generation, long start, long end) => generation == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{fileKey}:{start}:{end}")
        : string.Create(CultureInfo.InvariantCulture, $"{fileKey}:g{generation}:{start}:{end}");
}
