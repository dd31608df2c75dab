using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>Where the relay consults an SPF policy service, its verdict joins the spoofing evidence.</summary>
public sealed class SpfEvidenceTests : IDisposable
{
    private static readonly DateOnly Day = new(2026, 11, 24);
    private readonly string log = Path.Combine(Path.GetTempPath(), $"relaywatch-spf-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(log);

    [Fact]
    public async Task AnSpfFailForOurOwnDomainIsShownWithTheSpoof()
    {
        await File.WriteAllLinesAsync(log,
        [
            "Nov 24 10:00:00 mx1 postfix/smtpd[100]: connect from unknown[203.0.113.50]",
            "Nov 24 10:00:01 mx1 policyd-spf[101]: prepend Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip=203.0.113.50; helo=mail.ours.example; envelope-from=ceo@ours.example; receiver=alice.hill@ours.example",
            "Nov 24 10:00:01 mx1 postfix/smtpd[100]: NOQUEUE: reject: RCPT from unknown[203.0.113.50]: 550 5.7.23 <alice.hill@ours.example>: Recipient address rejected: Message rejected due to: SPF fail - not authorized; from=<ceo@ours.example> to=<alice.hill@ours.example> proto=ESMTP helo=<mail.ours.example>",
            "Nov 24 10:00:02 mx1 postfix/smtpd[100]: disconnect from unknown[203.0.113.50] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
        ]);
        await using var store = await TestEngine.OpenAsync();
        await new IngestRunner(store, new IngestOptions { Year = 2026 }, TimeProvider.System, NullLogger.Instance).IngestAsync([log], CancellationToken.None);

        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var finding = Assert.Single(await Finding.ReadAsync(store, Day, Day, CancellationToken.None));
        using var evidence = finding.ParseEvidence();

        Assert.Equal(("spoofing", "203.0.113.50"), (finding.Detector, finding.Subject));
        Assert.Equal(["fail"], evidence.RootElement.GetProperty("spf_verdicts").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(1, evidence.RootElement.GetProperty("refused").GetInt64());
        Assert.EndsWith("0 accepted, 1 refused; SPF fail", FindingExplainer.Explain(finding), StringComparison.Ordinal);
    }
}
