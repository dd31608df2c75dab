using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exim;

/// <summary>
/// The daemon's refusals before any SMTP, written for these tests in the wording of Exim's <c>daemon.c</c>
/// (<c>Connection from %s refused: …</c>, the client as in <c>SMTP connection from</c> lines): only the per-host
/// limit is the client's doing, and is <c>rate_limited</c>; the server's load and its own limit are skipped.
/// </summary>
public sealed class EximConnectionRefusalTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "mx3", "mainlog"), null, TimestampContext.Utc(2026));

    [Theory]
    [InlineData("2026-11-24 10:00:00 Connection from [203.0.113.5] refused: too many connections from that IP address", "203.0.113.5")]
    [InlineData("2026-11-24 10:00:00 [4410] Connection from [203.0.113.6]:50123 I=[192.0.2.25]:25 refused: too many connections from that IP address", "203.0.113.6")]
    [InlineData("2026-11-24 10:00:00 Connection from [2001:db8::6]:50123 refused: too many connections from that IP address", "2001:db8::6")]
    public void TheClientOverItsConnectionLimitIsRateLimited(string line, string clientIp)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Event, "exim.rate_limited"), (result.Outcome, result.Kind));
        Assert.Equal((EventNames.RateLimited, clientIp), (result.Event!.Event, result.Event.ClientIp));
        Assert.EndsWith("refused: too many connections from that IP address", result.Event.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-24 10:00:00 Connection from [203.0.113.7] refused: load average = 9.50", "exim.connection_refused")]
    [InlineData("2026-11-24 10:00:00 Connection from [203.0.113.8]:1 I=[192.0.2.25]:25 refused: too many connections", "exim.connection_refused")]
    [InlineData("2026-11-24 10:00:00 Connection from localhost refused: load average = 9.50", "exim.local_connection")]
    public void RefusalsThatAreNotTheClientsDoingAreSkipped(string line, string kind)
    {
        var result = new EximParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Skipped, kind), (result.Outcome, result.Kind));
    }

    /// <summary>The limit's words forged by nothing: a damaged address is shown, not skipped, and blames no one.</summary>
    [Fact]
    public void ADamagedAddressIsUnrecognised()
    {
        var result = new EximParser().Parse("2026-11-24 10:00:00 Connection from [203.0.113] refused: too many connections from that IP address", Origin, 1);

        Assert.Equal(LineOutcome.Unrecognised, result.Outcome);
        Assert.Null(result.Event);
    }
}
