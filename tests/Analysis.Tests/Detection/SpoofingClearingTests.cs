using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// Mail from outside, unauthenticated, with our domain as the sender is not always a spoof: the relay's SPF
/// service may have passed it (a platform our SPF record names), the client may be an established sender, or
/// a forwarder passing on what one of ours wrote (it rewrites other senders with SRS). Each is cleared, and a
/// real spoofer on the same day is still named. Lines written here in Postfix's and policyd-spf's wording.
/// </summary>
public sealed class SpoofingClearingTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private const string Spoofer = "203.0.113.50";

    private const string Saas = "192.0.2.11";

    private const string Newcomer = "198.18.7.20";

    private const string Established = "198.51.100.77";

    private const string Forwarder = "192.0.2.150";

    [Fact]
    public async Task SpfPassEstablishedSendersAndForwardersAreClearedAndTheSpooferIsNot()
    {
        var log = new PostfixLog();

        // A CRM platform with mail accepted on three days of the last fortnight: established, and so is its
        // next server in the same /24 under the same domain.
        foreach (var back in new[] { 5, 3, 2 })
        {
            log.Day = Day.AddDays(-back);
            log.Inbound("mta1.crm-cloud.example", Established, "updates@crm-cloud.example", ["alice.smith@ours.example"], at: "09:00:00");
        }

        log.Day = Day;
        log.Inbound("mta2.crm-cloud.example", "198.51.100.78", "announcements@ours.example", ["bob.jones@ours.example"], at: "09:30:00");
        log.Inbound("mta1.crm-cloud.example", Established, "announcements@ours.example", ["bob.jones@ours.example"], at: "09:31:00");

        // SPF pass, as python policyd-spf logs it in prepend mode (wording as in sekoia-io/intake-formats
        // Postfix/postfix/tests/policydspf10.json: "Received-SPF: Pass (sender SPF authorized) identity=mailfrom; client-ip=…").
        log.Raw("10:00:00", "policyd-spf[4100]", $"prepend Received-SPF: Pass (sender SPF authorized) identity=mailfrom; client-ip={Saas}; helo=out.events-platform.example; envelope-from=events@ours.example; receiver=carol.green@ours.example");
        log.Inbound("out.events-platform.example", Saas, "events@ours.example", ["carol.green@ours.example"], at: "10:00:01");

        // The same platform host, newly seen, without a pass: not cleared (no history, no SPF).
        log.Inbound("out.events-platform.example", Newcomer, "events@ours.example", ["carol.green@ours.example"], at: "10:05:00");

        // A forwarder: one message with an SRS sender, one with the original sender, one of ours.
        log.Inbound("fwd1.alumni-mail.example", Forwarder, "SRS0=3f2a=TX=inbox.example.org=ann@alumni-mail.example", ["dora@ours.example"], at: "11:00:00");
        log.Inbound("fwd1.alumni-mail.example", Forwarder, "alice.smith@ours.example", ["dora@ours.example"], at: "11:10:00");

        // The spoofer: no reverse DNS, SPF fail logged, accepted all the same.
        log.Raw("12:00:00", "policyd-spf[4101]", $"prepend Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip={Spoofer}; helo=mail.ours.example; envelope-from=ceo@ours.example; receiver=ed.king@ours.example");
        log.Inbound("unknown", Spoofer, "ceo@ours.example", ["ed.king@ours.example"], at: "12:00:01");

        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);
        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var spoofing = (await Finding.ReadAsync(store, Day, Day, CancellationToken.None)).Where(f => f.Detector == "spoofing").ToList();

        Assert.Equal([Newcomer, Spoofer], spoofing.Select(f => f.Subject).Order(StringComparer.Ordinal));
        using var evidence = spoofing.Single(f => f.Subject == Spoofer).ParseEvidence();
        Assert.Equal(["fail"], evidence.RootElement.GetProperty("spf_verdicts").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task AnEstablishedNetworkIsClearedOnlyUnderTheSameReverseDnsDomain()
    {
        var log = new PostfixLog();
        foreach (var back in new[] { 14, 9, 1 })
        {
            log.Day = Day.AddDays(-back);
            log.Inbound("mta1.crm-cloud.example", Established, "updates@crm-cloud.example", ["alice.smith@ours.example"], at: "09:00:00");
        }

        log.Day = Day;
        // Same /24, same registered domain, another host: established. Same /24, another domain: not.
        log.Inbound("mta9.crm-cloud.example", "198.51.100.90", "announcements@ours.example", ["bob.jones@ours.example"], at: "09:30:00");
        log.Inbound("mail.cheap-hosting.example", "198.51.100.91", "announcements@ours.example", ["bob.jones@ours.example"], at: "09:31:00");

        await using var store = await TestEngine.OpenAsync();
        await log.IngestIntoAsync(store);
        await new DetectionRunner(store, new EstateSettings { ProtectedDomains = ["ours.example"] }, DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
            .RunAsync(Day, Day, null, CancellationToken.None);
        var spoofing = (await Finding.ReadAsync(store, Day, Day, CancellationToken.None)).Where(f => f.Detector == "spoofing");

        Assert.Equal(["198.51.100.91"], spoofing.Select(f => f.Subject));
    }
}
