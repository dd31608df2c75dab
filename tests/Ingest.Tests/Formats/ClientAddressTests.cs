using RelayWatch.Ingest.Formats;

namespace RelayWatch.Ingest.Tests.Formats;

/// <summary>The one client-address reader: what it accepts, in which canonical form, and the near-addresses it refuses.</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("IPv6:2001:DB8::1", "2001:db8::1")]
    [InlineData("ipv6:2001:db8::1", "2001:db8::1")]
    [InlineData("::1", "::1")]
    [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    // Dual-stack listeners write an IPv4 client mapped into IPv6: it is the IPv4 client.
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("::FFFF:c000:0207", "192.0.2.7")]
    [InlineData("IPv6:::ffff:192.0.2.7", "192.0.2.7")]
    public void AnAddressIsReadInItsCanonicalForm(string text, string canonical) =>
        Assert.Equal(canonical, ClientAddress.Canonical(text));

    [Theory]
    [InlineData("12")] // IPAddress.TryParse: 0.0.0.12
    [InlineData("192.0.2")] // 192.0.0.2
    [InlineData("192.0")]
    [InlineData("1.2.3.4.5")]
    [InlineData("192.0.2.256")]
    [InlineData("010.0.0.1")] // octal to some readers
    [InlineData("0x7f.0.0.1")]
    [InlineData("0xc0000201")]
    [InlineData("3221225985")] // one 32-bit number
    [InlineData("192.0.2.1 ")]
    [InlineData(" 192.0.2.1")]
    [InlineData("192.0.2.")]
    [InlineData(".192.0.2.1")]
    [InlineData("192..2.1")]
    [InlineData("1922.0.2.1")]
    [InlineData("2001:db8::1%eth0")] // a zone: link-local only, no internet client
    [InlineData("fe80::1%2")]
    [InlineData("::ffff:1.2.3")]
    [InlineData("::1.2.3.4.5")]
    [InlineData("2001:db8:::1")]
    [InlineData("2001:db8::1::2")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("[2001:db8::1]")]
    [InlineData("IPv6:192.0.2.1")]
    [InlineData("IPv6:")]
    [InlineData("unknown")]
    [InlineData("")]
    [InlineData("2001:db8::g")]
    public void ANearAddressIsRefused(string text) =>
        Assert.Null(ClientAddress.Canonical(text));

    [Theory]
    [InlineData("[192.0.2.1]:25", "192.0.2.1", 25)]
    [InlineData("[2001:db8::1]:587", "2001:db8::1", 587)]
    [InlineData("[192.0.2.1].4711", "192.0.2.1", 4711)]
    [InlineData("192.0.2.1:65535", "192.0.2.1", 65535)]
    [InlineData("[IPv6:2001:db8::1]:25", "2001:db8::1", 25)]
    [InlineData("[::ffff:192.0.2.1]:25", "192.0.2.1", 25)]
    [InlineData("192.0.2.1", "192.0.2.1", 0)]
    [InlineData("[192.0.2.1]", "192.0.2.1", 0)]
    [InlineData("2001:db8::1", "2001:db8::1", 0)]
    public void AnEndpointIsReadAsTheMtasWriteIt(string text, string address, int port)
    {
        Assert.True(ClientAddress.TryParseEndpoint(text, out var read, out var readPort));
        Assert.Equal((address, port), (read.ToString(), readPort));
    }

    [Theory]
    [InlineData("[192.0.2.1]:")]
    [InlineData("[192.0.2.1]:0")]
    [InlineData("[192.0.2.1]:65536")]
    [InlineData("[192.0.2.1]:25x")]
    [InlineData("[192.0.2]:25")]
    [InlineData("12:25")]
    [InlineData("192.0.2:25")]
    [InlineData("[192.0.2.1")]
    [InlineData("[192.0.2.1]x")]
    [InlineData("[2001:db8::1%eth0]:25")]
    public void ABrokenEndpointIsRefused(string text) =>
        Assert.False(ClientAddress.TryParseEndpoint(text, out _, out _));
}
