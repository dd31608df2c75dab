using System.Globalization;

namespace RelayWatch.Ingest.Formats;

/// <summary>
/// SMTP replies as the MTAs quote them in their logs (<c>550 5.1.1 &lt;a@b&gt;: Recipient address rejected</c>,
/// <c>550-5.7.1 …</c>, <c>('550', ['…'])</c>): the one reader of reply codes and enhanced status codes
/// that every format uses, so a code means the same whichever relay wrote it.
/// </summary>
internal static class SmtpReply
{
    /// <summary>The reply code <paramref name="text"/> starts with (<c>550 …</c>, <c>550-…</c>, <c>550</c>), 0 when it starts with none.</summary>
    public static ushort LeadingCode(ReadOnlySpan<char> text) =>
        text.Length >= 3 && IsCodeAt(text, 0) ? Code(text[..3]) : (ushort)0;

    /// <summary>The first reply code anywhere in <paramref name="text"/> (a three-digit number 200–599 standing alone), 0 when none.</summary>
    public static ushort FirstCode(ReadOnlySpan<char> text)
    {
        for (var i = 0; i + 3 <= text.Length; i++)
        {
            if (IsCodeAt(text, i))
            {
                return Code(text.Slice(i, 3));
            }
        }

        return 0;
    }

    /// <summary>
    /// The enhanced status code (RFC 3463, <c>5.1.1</c>) that follows the reply code at the start of
    /// <paramref name="text"/>; empty when there is none.
    /// </summary>
    public static string LeadingDsn(ReadOnlySpan<char> text)
    {
        if (LeadingCode(text) == 0 || text.Length < 5 || text[3] is not (' ' or '-'))
        {
            return string.Empty;
        }

        var rest = text[4..];
        var end = rest.IndexOfAny(' ', ';');
        var candidate = end < 0 ? rest : rest[..end];
        return IsDsn(candidate) ? candidate.ToString() : string.Empty;
    }

    /// <summary>Whether <paramref name="text"/> is an enhanced status code: class 2, 4 or 5, then two dotted numbers of at most three digits.</summary>
    public static bool IsDsn(ReadOnlySpan<char> text)
    {
        if (text.Length < 5 || text[0] is not ('2' or '4' or '5') || text[1] != '.')
        {
            return false;
        }

        var rest = text[2..];
        var dot = rest.IndexOf('.');
        return dot is >= 1 and <= 3 && rest.Length - dot - 1 is >= 1 and <= 3
            && !rest[..dot].ContainsAnyExceptInRange('0', '9') && !rest[(dot + 1)..].ContainsAnyExceptInRange('0', '9');
    }

    private static bool IsCodeAt(ReadOnlySpan<char> text, int i) =>
        text[i] is >= '2' and <= '5' && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiDigit(text[i + 2])
        && (i == 0 || !char.IsAsciiDigit(text[i - 1])) && (i + 3 == text.Length || !char.IsAsciiDigit(text[i + 3]));

    private static ushort Code(ReadOnlySpan<char> digits) => ushort.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
}
