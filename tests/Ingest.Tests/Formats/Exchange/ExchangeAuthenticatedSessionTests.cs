using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exchange;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exchange;

/// <summary>
/// After a login, Exchange's receive protocol log names the account in a <c>*</c> record whose context is
/// <c>authenticated</c> (<c>*,CONTOSO\jdoe,authenticated</c>, then <c>&gt;,235 2.7.0 Authentication successful</c>;
/// wording as a vendor's protocol-logging guide shows it, records written for this test): the session's later
/// events carry the account as their <c>sasl_user</c>, and a session that never logged in carries none.
/// </summary>
public sealed class ExchangeAuthenticatedSessionTests
{
    private const string Header = "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context";

    private static List<LineResult> Read(params string[] records)
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin("RECV2026112400-1.LOG", "EDGE1", TimestampContext.Utc(2026));
        parser.Parse(Header, origin, 1);
        return [.. records.Select((r, i) => parser.Parse(r, origin, i + 2))];
    }

    [Fact]
    public void ASessionsEventsAfterALoginNameTheAccount()
    {
        var results = Read(
            "2026-11-24T09:00:00.000Z,EDGE1\\Client,08DE0A0000000077,0,192.0.2.30:587,198.51.100.77:50123,+,,",
            "2026-11-24T09:00:00.100Z,EDGE1\\Client,08DE0A0000000077,1,192.0.2.30:587,198.51.100.77:50123,<,AUTH LOGIN,",
            "2026-11-24T09:00:00.200Z,EDGE1\\Client,08DE0A0000000077,2,192.0.2.30:587,198.51.100.77:50123,*,SMTPSubmit SMTPAcceptAnySender,Set Session Permissions",
            "2026-11-24T09:00:00.200Z,EDGE1\\Client,08DE0A0000000077,3,192.0.2.30:587,198.51.100.77:50123,*,CONTOSO\\jdoe,authenticated",
            "2026-11-24T09:00:00.210Z,EDGE1\\Client,08DE0A0000000077,4,192.0.2.30:587,198.51.100.77:50123,>,235 2.7.0 Authentication successful,",
            "2026-11-24T09:00:00.300Z,EDGE1\\Client,08DE0A0000000077,5,192.0.2.30:587,198.51.100.77:50123,<,RCPT TO:<x@far.example>,",
            "2026-11-24T09:00:00.310Z,EDGE1\\Client,08DE0A0000000077,6,192.0.2.30:587,198.51.100.77:50123,>,452 4.5.3 Too many recipients,",
            "2026-11-24T09:00:00.400Z,EDGE1\\Client,08DE0A0000000077,7,192.0.2.30:587,198.51.100.77:50123,-,,Local");

        Assert.Equal((LineOutcome.Skipped, "exchange.authenticated"), (results[3].Outcome, results[3].Kind));
        var events = results.SelectMany(r => r.Events).ToList();
        Assert.Equal(["connect", "rate_limited", "disconnect"], events.Select(e => e.Event));
        Assert.Equal([string.Empty, "CONTOSO\\jdoe", "CONTOSO\\jdoe"], events.Select(e => e.SaslUser));
    }

    [Fact]
    public void ASessionThatNeverLoggedInNamesNoAccount()
    {
        var results = Read(
            "2026-11-24T09:00:00.000Z,EDGE1\\Default,08DE0A0000000078,0,192.0.2.30:25,203.0.113.9:40000,+,,",
            "2026-11-24T09:00:00.100Z,EDGE1\\Default,08DE0A0000000078,1,192.0.2.30:25,203.0.113.9:40000,<,RCPT TO:<ghost@ours.example>,",
            "2026-11-24T09:00:00.110Z,EDGE1\\Default,08DE0A0000000078,2,192.0.2.30:25,203.0.113.9:40000,>,550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup,");

        Assert.All(results.SelectMany(r => r.Events), e => Assert.Equal(string.Empty, e.SaslUser));
        Assert.Equal("rcpt_reject", results[2].Event!.Event);
    }
}
