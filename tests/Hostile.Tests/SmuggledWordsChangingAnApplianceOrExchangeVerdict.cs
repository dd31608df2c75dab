using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using Xunit.Abstractions;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// Cisco ESA and Exchange log the client's own words — its MAIL FROM and RCPT TO, its AUTH user, the
/// commands in a CSV field — beside the words they write themselves: the check that refused a recipient
/// (<c>Rejected by RAT</c>), the outcome of a login, a reply's wording. Client text shaped like those words
/// (a quoted <c>Rejected by LDAPACCEPT</c>, <c>, ICID …</c>, <c>) failed for user:</c>, a quoted comma, an
/// address reading <c>Authentication unsuccessful</c>) must not change the event a line records, its reason
/// or its client. Every line is written for this test in the vendor's wording.
/// </summary>
public sealed class SmuggledWordsChangingAnApplianceOrExchangeVerdict(ITestOutputHelper output)
{
    private const string Esa = "Tue Nov 24 10:00:00 2026 Info: ";

    private const string ProtocolHeader = "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context";

    private const string ProtocolRecord = "2026-11-24T10:00:00.000Z,EDGE1\\Default Frontend EDGE1,08DE0A00000000C0,1,192.0.2.30:25,203.0.113.9:51234,";

    /// <param name="Attacked">The line under attack (1-based); the others give it its context.</param>
    /// <param name="Field">A column the attacker aimed at and the value it must keep (<c>column=value</c>), or empty.</param>
    public sealed record Case(string Name, LogFormat Format, string[] Lines, int Attacked, string Event, string ClientIp, string Field = "", string Value = "")
    {
        public override string ToString() => Format + ": " + Name;
    }

    public static TheoryData<Case> Cases() =>
    [
        // The check's name follows the recipient: a recipient quoting another check must not pick the reason.
        new("a recipient quoting another check's refusal", LogFormat.Ironport,
            [
                Esa + "New SMTP ICID 31 interface Incoming (192.0.2.20) address 203.0.113.9 reverse dns host unknown verified no",
                Esa + "Start MID 71 ICID 31",
                Esa + "MID 71 ICID 31 To: <\"y> Rejected by LDAPACCEPT\"@elsewhere.example> Rejected by RAT",
            ],
            3, EventNames.RcptReject, "203.0.113.9", "reason", Reasons.RelayDenied),
        new("a sender holding another connection's ICID and a recipient line", LogFormat.Ironport,
            [
                Esa + "New SMTP ICID 30 interface Incoming (192.0.2.20) address 192.0.2.44 reverse dns host innocent.example verified yes",
                Esa + "New SMTP ICID 31 interface Incoming (192.0.2.20) address 203.0.113.9 reverse dns host unknown verified no",
                Esa + "Start MID 72 ICID 31",
                Esa + "MID 72 ICID 31 From: <\"x, ICID 30 RID 0 To: <victim@ours.example>\"@bad.example>",
                Esa + "MID 72 ready 120 bytes from <\"x, ICID 30 RID 0 To: <victim@ours.example>\"@bad.example>",
            ],
            5, EventNames.Message, "203.0.113.9", "mail_from", "\"x, ICID 30 RID 0 To: <victim@ours.example>\"@bad.example"),
        new("an AUTH user holding a failure", LogFormat.Ironport,
            [
                Esa + "New SMTP ICID 31 interface Incoming (192.0.2.20) address 203.0.113.9 reverse dns host unknown verified no",
                Esa + "SMTP Auth: (ICID 31) succeeded for user: x) failed for user: root using AUTH mechanism: PLAIN with profile: Submission",
                Esa + "Start MID 73 ICID 31",
                Esa + "MID 73 ICID 31 From: <a@b.example>",
                Esa + "MID 73 ready 120 bytes from <a@b.example>",
            ],
            5, EventNames.Message, "203.0.113.9", "sasl_user", "x) failed for user: root"),

        // Exchange: the client's commands are a CSV field; a quoted comma in it must not shift the columns.
        new("a recipient holding a quoted comma and a 535 reply", LogFormat.Exchange,
            [
                ProtocolHeader,
                ProtocolRecord + "+,,",
                ProtocolRecord + "<,\"RCPT TO:<\"\"a,192.0.2.44:25,>,535 5.7.3 Authentication unsuccessful,\"\"@ours.example>\",",
                ProtocolRecord + ">,550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup,",
            ],
            4, EventNames.RcptReject, "203.0.113.9", "rcpt_to", "\"a,192.0.2.44:25,>,535 5.7.3 Authentication unsuccessful,\"@ours.example"),
        // A refusal quoting the client's address: the address's words are not the reply's.
        new("a refused address reading Authentication unsuccessful", LogFormat.Exchange,
            [
                ProtocolHeader,
                ProtocolRecord + "+,,",
                ProtocolRecord + "<,RCPT TO:<Authentication unsuccessful@ours.example>,",
                ProtocolRecord + ">,550 5.1.1 <Authentication unsuccessful@ours.example>: Recipient not found,",
            ],
            4, EventNames.RcptReject, "203.0.113.9", "reason", Reasons.UserUnknown),
        new("a HELO holding CSV commas", LogFormat.Exchange,
            [
                ProtocolHeader,
                ProtocolRecord + "+,,",
                ProtocolRecord + "<,\"EHLO x,192.0.2.44:25,+,,\",",
                ProtocolRecord + ">,504 5.7.4 Unrecognized authentication type,",
            ],
            4, EventNames.ProtocolViolation, "203.0.113.9", "helo", "x,192.0.2.44:25,+,,"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void SmuggledWordsNeverChangeTheEventItsReasonOrItsClient(Case attack)
    {
        var parser = LogFormats.CreateParser(attack.Format);
        var origin = new LineOrigin(Path.Combine("logs", "relay1", "attacked.log"), "relay1", TimestampContext.Utc(2026));
        var events = new List<SmtpEvent>();
        for (var i = 0; i < attack.Lines.Length; i++)
        {
            var result = parser.Parse(attack.Lines[i], origin, i + 1);
            output.WriteLine($"{i + 1}: {result.Outcome} {result.Kind}");
            events.AddRange(result.Events);
        }

        var smtp = Assert.Single(events, e => e.Line == (ulong)attack.Attacked);
        Assert.Equal((attack.Event, attack.ClientIp), (smtp.Event, smtp.ClientIp));
        if (attack.Field.Length > 0)
        {
            Assert.Equal(attack.Value, attack.Field switch
            {
                "rcpt_to" => smtp.RcptTo,
                "mail_from" => smtp.MailFrom,
                "helo" => smtp.Helo,
                "reason" => smtp.Reason,
                "sasl_user" => smtp.SaslUser,
                _ => throw new ArgumentException($"No column {attack.Field} in this test.", nameof(attack)),
            });
        }
    }
}
