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

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    public void AsciiAndOtherTextGetTheLengthPrefixAndBytesOfTheirUtf8(int length)
    {
        // The one-pass ASCII path and the measured path for other text, against the UTF-8 encoder, at the
        // lengths where the prefix grows a byte; the non-ASCII text is the same length in chars, longer in bytes.
        foreach (var text in new[] { new string('a', length), length == 0 ? "é" : new string('a', length - 1) + "é", length == 0 ? "€" : "€" + new string('z', length - 1) })
        {
            var writer = new RowBinaryWriter(16);

            writer.WriteString(text);

            var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
            var expected = new RowBinaryWriter(16);
            expected.WriteVarUInt((ulong)utf8.Length);
            Assert.Equal([.. expected.WrittenMemory.ToArray(), .. utf8], writer.WrittenMemory.ToArray());
        }
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.0.1")]
    [InlineData("010.1.1.1")]
    [InlineData("1.2.3")]
    [InlineData("1")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1..2.3")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1.2.3.1000")]
    [InlineData("12345.1.1.1")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:198.51.100.9")]
    [InlineData("fe80::1%2")]
    [InlineData("mail.example.com")]
    [InlineData("")]
    public void AnAddressGivenAsTextIsWrittenAsIPAddressReadsIt(string text)
    {
        var writer = new RowBinaryWriter();
        var expected = new RowBinaryWriter();
        var parsed = IPAddress.TryParse(text, out var address);
        if (parsed)
        {
            expected.WriteIPv6(address!);
        }

        Assert.Equal(parsed, writer.TryWriteIPv6(text));
        Assert.Equal(expected.WrittenMemory.ToArray(), writer.WrittenMemory.ToArray());
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
