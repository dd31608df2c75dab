using System.Buffers;
using System.Text;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// Splits a byte stream into lines, tracking byte offsets for checkpoints. Attacker-controlled
/// input is repaired, never fatal: invalid UTF-8 and NUL bytes become U+FFFD, CR before LF is
/// dropped, lines over <see cref="MaxLineBytes"/> are cut (the rest skipped to the newline), and
/// a last line without a newline is still returned. Each repair is flagged on the line.
/// When following a growing file, a last line without a newline is held back instead, until its
/// newline arrives (or <see cref="Follow"/> is turned off to drain a file that stopped growing).
/// </summary>
internal sealed class LineReader(Stream stream, long startOffset = 0, long startLineNumber = 0) : IDisposable
{
    public const int MaxLineBytes = 64 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
    private readonly byte[] line = ArrayPool<byte>.Shared.Rent(MaxLineBytes);
    private int bufferStart;
    private int bufferEnd;
    private bool endOfStream;
    private long offset = startOffset;
    private long lineNumber = startLineNumber;

    // The line being assembled; kept across calls so a followed file's partial line can complete.
    private int length;
    private long consumed;
    private LineProblem problem;

    /// <summary>While true, the end of the stream is not final: a partial last line waits for its newline.</summary>
    public bool Follow { get; set; }

    /// <summary>Where the next line starts: everything before it has been returned.</summary>
    public long Offset => offset;

    /// <summary>Reads the next line, or returns false at the end of the stream (for now, when following).</summary>
    public bool TryReadLine(out LogLine logLine)
    {
        if (Follow)
        {
            endOfStream = false;
        }

        while (true)
        {
            if (bufferStart == bufferEnd)
            {
                if (endOfStream || !Fill())
                {
                    if (consumed == 0 || Follow)
                    {
                        logLine = default;
                        return false;
                    }

                    problem |= LineProblem.Unterminated;
                    break;
                }
            }

            var available = buffer.AsSpan(bufferStart, bufferEnd - bufferStart);
            var newline = available.IndexOf((byte)'\n');
            var take = newline < 0 ? available : available[..newline];
            var room = MaxLineBytes - length;
            if (take.Length > room)
            {
                problem |= LineProblem.TooLong;
            }

            take[..Math.Min(take.Length, room)].CopyTo(line.AsSpan(length));
            length += Math.Min(take.Length, room);
            consumed += take.Length;
            bufferStart += take.Length;
            if (newline >= 0)
            {
                bufferStart++;
                consumed++;
                break;
            }
        }

        if (length > 0 && line[length - 1] == (byte)'\r')
        {
            length--;
        }

        offset += consumed;
        lineNumber++;
        var repairs = problem;
        logLine = new LogLine(Decode(line.AsSpan(0, length), ref repairs), lineNumber, offset, repairs);
        (length, consumed, problem) = (0, 0, LineProblem.None);
        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(buffer);
        ArrayPool<byte>.Shared.Return(line);
    }

    private static string Decode(ReadOnlySpan<byte> bytes, ref LineProblem problem)
    {
        if (bytes.Contains((byte)0))
        {
            problem |= LineProblem.NulBytes;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            problem |= LineProblem.InvalidUtf8;
            text = LenientUtf8.GetString(bytes);
        }

        return (problem & LineProblem.NulBytes) != 0 ? text.Replace('\0', '\uFFFD') : text;
    }

    private bool Fill()
    {
        bufferStart = 0;
        bufferEnd = 0;
        var read = stream.Read(buffer, 0, buffer.Length);
        if (read == 0)
        {
            endOfStream = true;
            return false;
        }

        bufferEnd = read;
        return true;
    }
}
