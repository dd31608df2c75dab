using System.Net;
using RelayWatch.Store.Formats;

namespace RelayWatch.Store.Tests.Formats;

public sealed class RowBinaryWriterTests
{
    [Fact]
    public void StringsCarryAVarIntLengthBeforeTheirUtf8Bytes()
    {
        var writer = new RowBinaryWriter();

        writer.WriteString("é");
        writer.WriteString(new string('a', 200));

        var bytes = writer.WrittenMemory.ToArray();
        Assert.Equal(new byte[] { 2, 0xC3, 0xA9, 0xC8, 0x01 }, bytes[..5]);
        Assert.Equal(5 + 200, bytes.Length);
    }

    [Fact]
    public void Ipv4AddressesAreWrittenIpv4MappedInNetworkOrder()
    {
        var writer = new RowBinaryWriter();

        writer.WriteIPv6(IPAddress.Parse("203.0.113.7"));

        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 203, 0, 113, 7 }, writer.WrittenMemory.ToArray());
    }

    [Fact]
    public void ANumericIpv4AddressIsWrittenLikeTheParsedOne()
    {
        var parsed = new RowBinaryWriter();
        var numeric = new RowBinaryWriter();

        parsed.WriteIPv6(IPAddress.Parse("203.0.113.7"));
        numeric.WriteIPv4AsIPv6((203u << 24) | (0u << 16) | (113u << 8) | 7u);

        Assert.Equal(parsed.WrittenMemory.ToArray(), numeric.WrittenMemory.ToArray());
    }

    [Fact]
    public void DatesAreDaysSinceTheEpochAndTimestampsMilliseconds()
    {
        var writer = new RowBinaryWriter();

        writer.WriteDate(new DateOnly(1970, 1, 11));
        writer.WriteDateTime64Millis(DateTimeOffset.FromUnixTimeMilliseconds(258));

        Assert.Equal(new byte[] { 10, 0, 2, 1, 0, 0, 0, 0, 0, 0 }, writer.WrittenMemory.ToArray());
    }

    [Fact]
    public void ClearReusesTheBuffer()
    {
        var writer = new RowBinaryWriter();
        writer.WriteUInt64(1);

        writer.Clear();
        writer.WriteUInt8(7);

        Assert.Equal(new byte[] { 7 }, writer.WrittenMemory.ToArray());
    }
}
