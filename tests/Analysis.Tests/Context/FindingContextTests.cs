using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Context;

/// <summary>A finding's sentence says who is behind its address when network context is loaded, and is unchanged when it is not.</summary>
public sealed class FindingContextTests : IDisposable
{
    private static readonly DateOnly Day = new(2026, 11, 24);
    private readonly string log = Path.Combine(Path.GetTempPath(), $"relaywatch-context-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(log);

    [Fact]
    public async Task ASpoofersSentenceNamesItsNetworkOnlyOnceContextIsLoaded()
    {
        // A spoof of our own domain from a documentation address (RFC 5737), refused at RCPT.
        await File.WriteAllLinesAsync(log,
        [
            "Nov 24 10:00:00 mx1 postfix/smtpd[100]: connect from unknown[203.0.113.50]",
            "Nov 24 10:00:01 mx1 postfix/smtpd[100]: NOQUEUE: reject: RCPT from unknown[203.0.113.50]: 554 5.7.1 <alice.hill@ours.example>: Recipient address rejected: Access denied; from=<ceo@ours.example> to=<alice.hill@ours.example> proto=ESMTP helo=<mail.ours.example>",
            "Nov 24 10:00:02 mx1 postfix/smtpd[100]: disconnect from unknown[203.0.113.50] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
        ]);
        await using var store = await TestEngine.OpenAsync();
        await new IngestRunner(store, new IngestOptions { Year = 2026 }, TimeProvider.System, NullLogger.Instance).IngestAsync([log], CancellationToken.None);
        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var finding = Assert.Single(await Finding.ReadAsync(store, Day, Day, CancellationToken.None));
        var context = new NetworkContextStore(store);

        var off = await context.LookupAsync([finding.Subject], CancellationToken.None);
        await context.ReplaceAsync(
            NetworkContextCsv.Read(new StringReader("network,asn,organisation,country\n203.0.113.0/24,64500,Example Hosting,NL\n198.51.100.0/24,64501,Other,DE\n"), "ours.csv"),
            "csv", TimeProvider.System, CancellationToken.None);
        var on = await context.LookupAsync([finding.Subject], CancellationToken.None);

        Assert.Empty(off);
        Assert.Equal(FindingExplainer.Explain(finding), FindingExplainer.Explain(finding, off.GetValueOrDefault(finding.Subject)));
        Assert.Equal(FindingExplainer.Explain(finding) + "; from AS64500 Example Hosting, NL", FindingExplainer.Explain(finding, on[finding.Subject]));
        Assert.StartsWith("our domain as sender (ceo@ours.example)", FindingExplainer.Explain(finding), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(64500u, "Example Hosting", "NL", "AS64500 Example Hosting, NL")]
    [InlineData(64500u, "", "", "AS64500")]
    [InlineData(0u, "", "NL", "NL")]
    [InlineData(64500u, "Evil\r\nCorp\u202E\u2066x", "NL", "AS64500 Evil Corp x, NL")]
    public void TheNetworkIsDescribedOnOneLineWithWhatIsKnown(uint asn, string organisation, string country, string described) =>
        Assert.Equal(described, NetworkContextText.Describe(new NetworkContext(asn, organisation, country)));

    [Fact]
    public void AnUnknownNetworkAddsNothing()
    {
        var finding = new Finding(Day, "auth_bruteforce", "192.0.2.1", "high", 1, DateTime.UnixEpoch, DateTime.UnixEpoch, 3, """{"failures":3,"sessions":1}""");

        Assert.Equal("3 failed authentications in 1 session(s)", FindingExplainer.Explain(finding, new NetworkContext(0, string.Empty, string.Empty)));
        Assert.Equal("3 failed authentications in 1 session(s); from AS64500 Example Hosting, NL", FindingExplainer.Explain(finding, new NetworkContext(64500, "Example Hosting", "NL")));
    }
}
