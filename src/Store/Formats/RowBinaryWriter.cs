using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RelayWatch.Store.Formats;

/// <summary>
/// Encodes rows in ClickHouse's RowBinary input format into a growing buffer: values written in
/// column order, little-endian, strings as a LEB128 length and UTF-8 bytes. Reused across batches
/// (<see cref="Clear"/>) so steady-state encoding allocates nothing per row.
/// </summary>
public sealed class RowBinaryWriter
{
    private readonly ArrayBufferWriter<byte> buffer;

    public RowBinaryWriter(int initialCapacity = 1 << 20) => buffer = new ArrayBufferWriter<byte>(initialCapacity);

    /// <summary>The encoded bytes so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => buffer.WrittenMemory;

    public int WrittenCount => buffer.WrittenCount;

    public void Clear() => buffer.ResetWrittenCount();

    public void WriteUInt8(byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.GetSpan(2), value);
        buffer.Advance(2);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    public void WriteFloat32(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    /// <summary>Date: days since 1970-01-01 as UInt16.</summary>
    public void WriteDate(DateOnly value) => WriteUInt16(checked((ushort)(value.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber)));

    /// <summary>DateTime64(3): milliseconds since the Unix epoch as Int64.</summary>
    public void WriteDateTime64Millis(DateTimeOffset value) => WriteInt64(value.ToUnixTimeMilliseconds());

    public void WriteString(string value) => WriteString(value.AsSpan());

    /// <summary>A string given as UTF-8 bytes (for example a slice of a log line).</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteVarUInt((ulong)utf8.Length);
        utf8.CopyTo(buffer.GetSpan(utf8.Length));
        buffer.Advance(utf8.Length);
    }

    /// <summary>
    /// A string as UTF-8. Log fields are nearly always ASCII, whose UTF-8 length is their length: those are
    /// narrowed in one pass behind a length prefix known in advance; any other text is measured, then encoded.
    /// </summary>
    public void WriteString(ReadOnlySpan<char> value)
    {
        var prefix = VarUIntLength((ulong)value.Length);
        var span = buffer.GetSpan(prefix + value.Length);
        if (Ascii.FromUtf16(value, span[prefix..], out var written) == OperationStatus.Done)
        {
            WriteVarUInt(span, (ulong)written);
            buffer.Advance(prefix + written);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)length);
        span = buffer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        buffer.Advance(length);
    }

    /// <summary>IPv6: 16 bytes in network order; IPv4 addresses are written IPv4-mapped (<c>::ffff:a.b.c.d</c>).</summary>
    public void WriteIPv6(IPAddress address)
    {
        var mapped = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        var span = buffer.GetSpan(16);
        if (!mapped.TryWriteBytes(span, out var written) || written != 16)
        {
            throw new ArgumentException("The address is neither IPv4 nor IPv6.", nameof(address));
        }

        buffer.Advance(16);
    }

    /// <summary>
    /// An address given as text, as <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/> reads it;
    /// false (nothing written) when it reads no address. A plain dotted quad (<c>203.0.113.7</c>, no leading zeros),
    /// the form nearly every log line carries, is read here without allocating; any other text goes to
    /// <see cref="IPAddress"/>.
    /// </summary>
    public bool TryWriteIPv6(ReadOnlySpan<char> text)
    {
        if (TryReadDottedQuad(text, out var v4))
        {
            WriteIPv4AsIPv6(v4);
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            WriteIPv6(address);
            return true;
        }

        return false;
    }

    /// <summary>An IPv4 address, given as a number in host order (a.b.c.d = a&lt;&lt;24 | …), written IPv4-mapped without allocating.</summary>
    public void WriteIPv4AsIPv6(uint address)
    {
        var span = buffer.GetSpan(16);
        span[..10].Clear();
        span[10] = 0xFF;
        span[11] = 0xFF;
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], address);
        buffer.Advance(16);
    }

    /// <summary>The IPv6 zero address, for rows that have no client address.</summary>
    public void WriteIPv6Unspecified()
    {
        buffer.GetSpan(16)[..16].Clear();
        buffer.Advance(16);
    }

    /// <summary>Array(String): element count, then each string.</summary>
    public void WriteStringArray(IReadOnlyList<string> values)
    {
        WriteVarUInt((ulong)values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    public void WriteVarUInt(ulong value) => buffer.Advance(WriteVarUInt(buffer.GetSpan(10), value));

    private static int WriteVarUInt(Span<byte> span, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        return i;
    }

    private static int VarUIntLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>Four decimal parts of 0–255 between dots, none with a leading zero: the text <see cref="IPAddress"/> reads the same way.</summary>
    private static bool TryReadDottedQuad(ReadOnlySpan<char> text, out uint address)
    {
        address = 0;
        var parts = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            uint part = 0;
            while (i < text.Length && i - start < 3 && char.IsAsciiDigit(text[i]))
            {
                part = (part * 10) + (uint)(text[i] - '0');
                i++;
            }

            var digits = i - start;
            if (digits == 0 || part > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            address = (address << 8) | part;
            if (++parts == 4)
            {
                return i == text.Length;
            }

            if (i == text.Length || text[i] != '.')
            {
                return false;
            }

            i++;
        }
    }
}
