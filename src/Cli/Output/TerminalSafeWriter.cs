using System.Text;

namespace RelayWatch.Cli.Output;

/// <summary>
/// Wraps the console's writers so that text from logs — attacker-chosen HELO strings, addresses,
/// reply texts — can never drive the terminal: C0 and C1 control characters (escape sequences that
/// recolour, move the cursor, retitle the window or rewrite what was printed before) and the
/// Unicode bidirectional controls (which make a line read differently from what it holds) are shown
/// as <c>?</c>. Newlines and tabs pass, so tables and lines stay as they are. Installed for
/// <c>Console.Out</c> and <c>Console.Error</c> at start; <c>query</c>, which writes the engine's
/// bytes in the format the user asked for, writes to the raw stream on purpose.
/// </summary>
internal sealed class TerminalSafeWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public static void Install()
    {
        Console.SetOut(new TerminalSafeWriter(Console.Out));
        Console.SetError(new TerminalSafeWriter(Console.Error));
    }

    /// <summary>Whether a character must not reach a terminal as itself.</summary>
    public static bool IsUnsafe(char c) =>
        (char.IsControl(c) && c != '\n' && c != '\t')
        || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';

    /// <summary>The text with every unsafe character shown as <c>?</c>.</summary>
    public static string Safe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return !text.Any(IsUnsafe)
            ? text
            : string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = IsUnsafe(source[i]) ? '?' : source[i];
                }
            });
    }

    public override void Write(char value) => inner.Write(IsUnsafe(value) ? '?' : value);

    public override void Write(string? value)
    {
        if (value is not null)
        {
            inner.Write(Safe(value));
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value)
    {
        Write(value);
        inner.WriteLine();
    }

    public override Task WriteAsync(string? value) => value is null ? Task.CompletedTask : inner.WriteAsync(Safe(value));

    public override Task WriteAsync(char[] buffer, int index, int count) => inner.WriteAsync(Safe(new string(buffer, index, count)));

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(value is null ? null : Safe(value));

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();
}
