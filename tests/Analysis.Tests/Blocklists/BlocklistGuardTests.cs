using RelayWatch.Analysis.Blocklists;

namespace RelayWatch.Analysis.Tests.Blocklists;

public sealed class BlocklistGuardTests
{
    private static BlocklistGuard Guard(BlocklistSettings? settings = null, string[]? analystAllowed = null) =>
        new(settings ?? new BlocklistSettings { Allowlist = ["192.0.2.200/29", "2001:db8:1::/48"] }, ["10.20.0.5/32"], ["198.51.100.25"], analystAllowed ?? []);

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("198.18.4.0/24")]
    [InlineData("2001:db8:5a0b::/48")]
    [InlineData("2001:db8:d031:b966::965")]
    public void AttackersMayBeListed(string subject) => Assert.Null(Guard().WhyNot(subject));

    [Theory]
    [InlineData("0.0.0.0/0", "wider than a /16, the shortest prefix any blocklist carries")]
    [InlineData("::/0", "wider than a /32, the shortest prefix any blocklist carries")]
    [InlineData("2001:db8:5a0b::/40", "wider than a /48")]
    [InlineData("198.18.0.0/16", "wider than a /24")]
    [InlineData("10.1.2.3", "special address space")]
    [InlineData("192.168.7.0/24", "special address space")]
    [InlineData("127.0.0.1", "special address space")]
    [InlineData("169.254.1.1", "special address space")]
    [InlineData("224.0.0.5", "special address space")]
    [InlineData("fe80::1", "special address space")]
    [InlineData("fd00:1:2::/48", "special address space")]
    [InlineData("192.0.2.203", "the configured allowlist")]
    [InlineData("192.0.2.0/24", "the configured allowlist")]
    [InlineData("2001:db8:1::6", "the configured allowlist")]
    [InlineData("not-an-address", "neither an IP address")]
    [InlineData("198.51.100.25", "an address of our own relays")]
    [InlineData("198.51.100.0/24", "an address of our own relays")]
    public void NeverListed(string subject, string because)
    {
        var why = Guard().WhyNot(subject);

        Assert.NotNull(why);
        Assert.Contains(because, why, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', why);
    }

    [Fact]
    public void AnAnalystsAllowWinsAndSpecialSpaceNeedsExplicitConsent()
    {
        Assert.Contains("an analyst's allow", Guard(analystAllowed: ["203.0.113.0/24"]).WhyNot("203.0.113.7"), StringComparison.Ordinal);
        Assert.Null(Guard(new BlocklistSettings { AllowSpecialAddresses = true }).WhyNot("192.168.7.0/24"));
        Assert.Contains("our internal networks", Guard(new BlocklistSettings { AllowSpecialAddresses = true }).WhyNot("10.20.0.0/24"), StringComparison.Ordinal);
    }
}
