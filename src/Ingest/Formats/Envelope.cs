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

    /// <summary>
    /// <see cref="Address"/>, but the brackets close where the client's words end (<see cref="QuotedText.AngledEnd"/>):
    /// a quoted local part may hold a <c>&gt;</c> (<c>&lt;"a&gt; b"@c&gt;</c>) and is read whole. A bracket never closed
    /// outside quotes is read as <see cref="Address"/> reads it.
    /// </summary>
    public static string Bracketed(ReadOnlySpan<char> text)
    {
        var open = text.IndexOf('<');
        var end = open < 0 ? -1 : QuotedText.AngledEnd(text, open);
        return end < 0 ? Address(text) : text[(open + 1)..(end - 1)].ToString();
    }
}
