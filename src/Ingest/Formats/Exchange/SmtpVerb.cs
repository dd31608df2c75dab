namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// A client's command with its verb in capitals (<c>ehlo x</c> → <c>EHLO x</c>, <c>mail from:&lt;a&gt;</c> →
/// <c>MAIL FROM:&lt;a&gt;</c>): SMTP's verbs and their <c>FROM:</c>/<c>TO:</c> are case-insensitive (RFC 5321
/// §2.4), the protocol log writes them as the client sent them, and the line kinds name them in capitals.
/// The arguments are left as they were.
/// </summary>
internal static class SmtpVerb
{
    /// <summary><paramref name="command"/> copied into <paramref name="buffer"/> (as long as it), its verb in capitals.</summary>
    public static ReadOnlySpan<char> InCapitals(ReadOnlySpan<char> command, Span<char> buffer)
    {
        command.CopyTo(buffer);
        var verb = Capitalise(buffer, 0);
        if (buffer[..verb].SequenceEqual("MAIL") || buffer[..verb].SequenceEqual("RCPT"))
        {
            // The keyword after MAIL or RCPT, up to its colon.
            Capitalise(buffer, verb + 1);
        }

        return buffer;
    }

    /// <summary>Capitalises the ASCII letters from <paramref name="start"/> to the next space or colon; returns where they end.</summary>
    private static int Capitalise(Span<char> text, int start)
    {
        var at = start;
        while (at < text.Length && text[at] is not (' ' or ':'))
        {
            text[at] = char.IsAsciiLetterLower(text[at]) ? (char)(text[at] - 32) : text[at];
            at++;
        }

        return at;
    }
}
