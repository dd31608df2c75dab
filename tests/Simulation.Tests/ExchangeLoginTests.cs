using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Sources;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Simulation.Relays;
using RelayWatch.Simulation.Tests.Support;

namespace RelayWatch.Simulation.Tests;

/// <summary>
/// The Exchange writer logs a login as Exchange does: in the protocol log, the account the session authenticated
/// as (<c>*,OURS\payroll-saas,authenticated</c>) before the <c>235</c>; and the tracking log's <c>RECEIVE</c> names
/// the session in its <c>source-context</c> and the receive connector as the protocol log does. Read back in the
/// order ingest reads a folder (<see cref="LogFiles.OldestFirst"/>), the service's messages carry its login on
/// every record, and nobody else's do.
/// </summary>
public sealed class ExchangeLoginTests
{
    [Fact]
    public void AnAuthenticatedSessionsLoginIsWrittenAndItsMessagesCarryIt()
    {
        var files = RelayScript.Write("EDGE1").ToDictionary(f => f.File, f => f.Lines);
        var protocol = files.Single(f => Path.GetFileName(f.Key).StartsWith("RECV", StringComparison.Ordinal)).Value.Where(l => !l.StartsWith('#')).ToList();

        // Each login: the AUTH, then the new permissions, the account and the 235, in one session, before its MAIL FROM.
        var logins = protocol.Where(l => l.EndsWith($",*,{ExchangeWriter.AccountDomain}\\payroll-saas,authenticated", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, logins.Count);
        foreach (var login in logins)
        {
            var session = login.Split(',')[2];
            var said = protocol.Where(l => l.Split(',')[2] == session).Select(l => string.Join(",", l.Split(',')[6..8])).ToList();
            var at = said.IndexOf($"*,{ExchangeWriter.AccountDomain}\\payroll-saas");
            Assert.Equal(["*,SMTPSubmit SMTPAcceptAnyRecipient SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders", ">,235 2.7.0 Authentication successful"],
                [said[at - 1], said[at + 1]]);
            Assert.InRange(said.IndexOf("<,AUTH PLAIN"), 0, at - 2);
            Assert.InRange(said.FindIndex(s => s.StartsWith("<,MAIL FROM:", StringComparison.Ordinal)), at + 2, said.Count);
        }

        var events = Read(files);

        var service = events.Where(e => e.ClientIp == RelayScript.Service || e.MailFrom == "payroll@ours.example").ToList();
        Assert.Equal(2, service.Count(e => e.Event == EventNames.Message));
        Assert.All(service.Where(e => e.Event is EventNames.Message or EventNames.Delivery or EventNames.Defer), e => Assert.Equal("OURS\\payroll-saas", e.SaslUser));
        Assert.All(events.Where(e => e.ClientIp is RelayScript.Spammer or RelayScript.Harvester or RelayScript.Bot), e => Assert.Equal(string.Empty, e.SaslUser));
    }

    private static List<SmtpEvent> Read(Dictionary<string, IReadOnlyList<string>> files)
    {
        var parser = LogFormats.CreateParser(LogFormat.Exchange);
        var events = new List<SmtpEvent>();
        foreach (var file in LogFiles.OldestFirst(files.Keys))
        {
            var origin = new LineOrigin(file, "EDGE1", TimestampContext.Utc(2026));
            foreach (var (line, number) in files[file].Select((l, i) => (l, i + 1)))
            {
                var result = parser.Parse(line, origin, number);
                Assert.True(result.Outcome != LineOutcome.Unrecognised, $"{result.Kind}: {line}");
                events.AddRange(result.Events);
            }
        }

        return events;
    }
}
