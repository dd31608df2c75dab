namespace RelayWatch.Ingest.Formats;

/// <summary>Envelope addresses as the MTAs write them in their text.</summary>
internal static class Envelope
{
    /// <summary>The address in the first angle brackets (<c>&lt;&gt;</c>, the null sender, is empty); the text itself, trimmed, when it has none.</summary>
    public static string Address(ReadOnlySpan<char> text)
    {
        var open = text.IndexOf('<');
        var close = open < 0 ? -1 : text[open..].IndexOf('>');
        return close < 0 ? text.Trim().ToString() : text.Slice(open + 1, close - 1).ToString();
    }
}
