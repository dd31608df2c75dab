using System.Text;

namespace RelayWatch.Ingest.Sources;

/// <summary>
/// Cuts one TCP connection's bytes into syslog messages (RFC 6587), holding at most one message in
/// memory. The first byte chooses the framing for the whole connection: a digit means octet counting
/// (<c>LEN SP MSG</c>), anything else newline-ended messages. What the sender gets wrong is counted,
/// never delivered as a message of its own:
/// <list type="bullet">
/// <item>a counted frame that declares more than the message limit is skipped exactly, byte for byte,
/// so the frame after it is read as the sender meant it (<see cref="ListenerDropReason.FrameTooLong"/>);</item>
/// <item>a newline-ended message over the limit is cut: its head is delivered, and the rest, up to
/// its newline, is discarded rather than read as a new message (<see cref="ListenerDropReason.LineCut"/>);</item>
/// <item>a length that is not a number loses the framing: the connection must be closed
/// (<see cref="ListenerDropReason.BadFrame"/>);</item>
/// <item>a counted frame cut off by the end of the connection is lost (<see cref="ListenerDropReason.IncompleteFrame"/>).</item>
/// </list>
/// </summary>
internal sealed class SyslogFramer(int maxMessageBytes, ListenerDrops drops)
{
    // Nine digits declare up to 999,999,999 bytes: far beyond any limit, still an int.
    private const int MaxLengthDigits = 9;

    private readonly byte[] message = new byte[maxMessageBytes];
    private Framing framing;
    private int filled;
    private int declared;
    private int lengthDigits;
    private long skipping;
    private bool discardingTail;
    private bool inBody;

    private enum Framing
    {
        Unknown,
        OctetCounting,
        Newline,
        Lost,
    }

    /// <summary>True once the framing is lost; the connection should be closed.</summary>
    public bool Lost => framing == Framing.Lost;

    /// <summary>True while part of a message has arrived and the rest has not.</summary>
    public bool InsideMessage => filled > 0 || lengthDigits > 0 || skipping > 0 || discardingTail || inBody;

    /// <summary>Reads the bytes, adding each message they complete to <paramref name="completed"/>.</summary>
    public void Push(ReadOnlySpan<byte> bytes, List<string> completed)
    {
        while (bytes.Length > 0 && framing != Framing.Lost)
        {
            if (framing == Framing.Unknown)
            {
                framing = char.IsAsciiDigit((char)bytes[0]) ? Framing.OctetCounting : Framing.Newline;
            }

            var used = framing == Framing.OctetCounting ? PushCounted(bytes, completed) : PushLine(bytes, completed);
            bytes = bytes[used..];
        }
    }

    /// <summary>The connection has ended: a newline-framed last message without its newline is still delivered.</summary>
    public void End(List<string> completed)
    {
        if (framing == Framing.Newline && filled > 0)
        {
            Deliver(completed);
        }
        else if (framing == Framing.OctetCounting && (inBody || lengthDigits > 0))
        {
            drops.Count(ListenerDropReason.IncompleteFrame);
        }

        (filled, declared, lengthDigits, skipping, discardingTail, inBody) = (0, 0, 0, 0, false, false);
    }

    private int PushCounted(ReadOnlySpan<byte> bytes, List<string> completed)
    {
        if (skipping > 0)
        {
            var skipped = (int)Math.Min(skipping, bytes.Length);
            skipping -= skipped;
            return skipped;
        }

        if (inBody)
        {
            var take = Math.Min(declared - filled, bytes.Length);
            bytes[..take].CopyTo(message.AsSpan(filled));
            filled += take;
            if (filled == declared)
            {
                Deliver(completed);
                (inBody, declared) = (false, 0);
            }

            return take;
        }

        // Reading the length: digits up to a space. A line ending between frames (which some senders add) is passed over.
        var used = 0;
        foreach (var b in bytes)
        {
            used++;
            if (lengthDigits == 0 && b is (byte)'\n' or (byte)'\r')
            {
                continue;
            }

            if (b == (byte)' ' && lengthDigits > 0)
            {
                lengthDigits = 0;
                if (declared > message.Length)
                {
                    drops.Count(ListenerDropReason.FrameTooLong);
                    (skipping, declared) = (declared, 0);
                }
                else
                {
                    // "0 " is an empty frame: nothing to read.
                    inBody = declared > 0;
                }

                return used;
            }

            if (!char.IsAsciiDigit((char)b) || lengthDigits == MaxLengthDigits)
            {
                drops.Count(ListenerDropReason.BadFrame);
                framing = Framing.Lost;
                return used;
            }

            declared = (declared * 10) + (b - (byte)'0');
            lengthDigits++;
        }

        return used;
    }

    private int PushLine(ReadOnlySpan<byte> bytes, List<string> completed)
    {
        var newline = bytes.IndexOf((byte)'\n');
        var line = newline < 0 ? bytes : bytes[..newline];
        var used = newline < 0 ? bytes.Length : newline + 1;
        if (discardingTail)
        {
            // The rest of a message that was cut: it ends at its newline, and is not a message of its own.
            discardingTail = newline < 0;
            return used;
        }

        var room = message.Length - filled;
        if (line.Length > room)
        {
            line[..room].CopyTo(message.AsSpan(filled));
            filled += room;
            drops.Count(ListenerDropReason.LineCut);
            Deliver(completed);
            discardingTail = newline < 0;
            return used;
        }

        line.CopyTo(message.AsSpan(filled));
        filled += line.Length;
        if (newline >= 0)
        {
            Deliver(completed);
        }

        return used;
    }

    private void Deliver(List<string> completed)
    {
        var text = SyslogText.Decode(message.AsSpan(0, filled));
        filled = 0;
        if (text.Length > 0)
        {
            completed.Add(text);
        }
    }
}
