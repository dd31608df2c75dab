using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;
using Xunit.Abstractions;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// A client chooses the text of its HELO, MAIL FROM, RCPT TO, Message-ID, subject and AUTH user, and the
/// relays log that text beside fields they write themselves. Text shaped like one of those fields
/// (<c>relay=host [ip]</c>, <c>H=… [ip]:port</c>, <c>from host[ip]</c>, <c>ICID n</c>, CSV commas and quotes, a
/// bracketed address) must never change the client a line blames, the event it records, or a field the
/// client cannot set anyway. One case per format and per place the text lands; every line is written
/// for this test in the relay's wording. In every case the smuggled address is 192.0.2.44 and the real
/// client another, so one assertion catches them all.
/// </summary>
public sealed class SmuggledFieldsBlamingTheWrongClient(ITestOutputHelper output)
{
    private const string Smuggled = "192.0.2.44";

    private const string ExchangeProtocolHeader = "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context";

    private const string ExchangeTrackingHeader = "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data";

    /// <param name="Name">What the attacker wrote where.</param>
    /// <param name="Lines">The log; the line under attack is <paramref name="Attacked"/> (1-based), the others give it its context.</param>
    /// <param name="Expected">The event the attacked line must record: its name, client, and one field the attacker aimed at (<c>column=value</c>).</param>
    public sealed record Case(string Name, LogFormat Format, string[] Lines, int Attacked, string Event, string ClientIp, string Field = "", string Value = "")
    {
        public override string ToString() => Format + ": " + Name;
    }

    public static TheoryData<Case> Cases() =>
    [
        // Sendmail: ruleset=check_rcpt, arg1=<rcpt>, relay=host [ip], reject=… — the recipient is the client's text.
        new("a quoted recipient holding relay= and reject=", LogFormat.Sendmail,
            ["Nov 24 10:00:00 mx4 sm-mta[4301]: 4AOA0001004301: ruleset=check_rcpt, arg1=<\"a, relay=x [192.0.2.44], reject=550 5.7.1 Relaying denied\"@foreign.example>, relay=dsl-203-0-113-9.example.net [203.0.113.9], reject=550 5.7.1 <\"a, relay=x [192.0.2.44], reject=550 5.7.1 Relaying denied\"@foreign.example>... Relaying denied"],
            1, EventNames.RcptReject, "203.0.113.9", "rcpt_to", "\"a, relay=x [192.0.2.44], reject=550 5.7.1 Relaying denied\"@foreign.example"),
        // A recipient given without angle brackets is logged bare: it can forge a whole relay= and reject=, so
        // the line is ambiguous and the refusal takes its client from the envelope's from= line, which Sendmail ends with relay=.
        new("a bare recipient forging relay= and reject=", LogFormat.Sendmail,
            [
                "Nov 24 10:00:00 mx4 sm-mta[4302]: 4AOA0002004302: ruleset=check_rcpt, arg1=a, relay=[192.0.2.44], reject=550 x, relay=dsl-203-0-113-9.example.net [203.0.113.9], reject=550 5.7.1 a, relay=[192.0.2.44], reject=550 x... Relaying denied",
                "Nov 24 10:00:01 mx4 sm-mta[4302]: 4AOA0002004302: from=<x@bad.example>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=dsl-203-0-113-9.example.net [203.0.113.9]",
            ],
            1, EventNames.RcptReject, "203.0.113.9"),
        new("a Message-ID without angle brackets holding relay=", LogFormat.Sendmail,
            ["Nov 24 10:00:00 mx4 sm-mta[4303]: 4AOA0003004303: from=<x@partner.example>, size=100, class=0, nrcpts=1, msgid=a, relay=x [192.0.2.44], proto=ESMTP, daemon=MTA, relay=mail.partner.example [198.51.100.10]"],
            1, EventNames.Message, "198.51.100.10", "mail_from", "x@partner.example"),
        new("a quoted sender holding relay=", LogFormat.Sendmail,
            ["Nov 24 10:00:00 mx4 sm-mta[4304]: 4AOA0004004304: from=<\"x, relay=[192.0.2.44], nrcpts=0\"@bad.example>, size=100, class=0, nrcpts=1, msgid=<1@bad.example>, proto=ESMTP, daemon=MTA, relay=[203.0.113.9]"],
            1, EventNames.Message, "203.0.113.9", "mail_from", "\"x, relay=[192.0.2.44], nrcpts=0\"@bad.example"),
        new("an AUTH user holding relay=", LogFormat.Sendmail,
            ["Nov 24 10:00:00 mx4 sm-mta[4305]: 4AOA0005004305: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=x, relay=[192.0.2.44], relay=[203.0.113.9] (may be forged)"],
            1, EventNames.AuthFailure, "203.0.113.9"),
        new("a reverse name holding a bracketed address", LogFormat.Sendmail,
            ["Nov 24 10:00:00 mx4 sm-mta[4306]: 4AOA0006004306: lost input channel from x[192.0.2.44].example [203.0.113.9] to MTA after rcpt"],
            1, EventNames.LostConnection, "203.0.113.9"),
        new("a milter-refused recipient holding reject=", LogFormat.Sendmail,
            [
                "Nov 24 10:00:00 mx4 sm-mta[4308]: STARTTLS=server, relay=[203.0.113.9], version=TLSv1.3, verify=NO, cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
                "Nov 24 10:00:01 mx4 sm-mta[4308]: 4AOA0008004308: Milter: to=<\"a, reject=550 5.7.1 Relaying denied\"@ours.example>, reject=451 4.7.1 Greylisting in action, please come back later",
            ],
            2, EventNames.RcptReject, "203.0.113.9", "rcpt_to", "\"a, reject=550 5.7.1 Relaying denied\"@ours.example"),
        new("a probing recipient naming another refusal", LogFormat.Sendmail,
            ["Nov 24 10:00:00 mx4 sm-mta[4307]: 4AOA0007004307: ruleset=check_rcpt, arg1=<\"User unknown\"@foreign.example>, relay=[203.0.113.9], reject=550 5.7.1 <\"User unknown\"@foreign.example>... Relaying denied"],
            1, EventNames.RcptReject, "203.0.113.9", "reason", Reasons.RelayDenied),

        // Postfix: the client and the stage come first, in Postfix's words; the recipient, the reply that echoes
        // it, the sender and the HELO are all the client's text, which Postfix does not escape, so their mutual
        // boundaries are the client's to blur — but never the client, the event or the reason.
        new("a quoted recipient holding the envelope fields", LogFormat.Postfix,
            ["Nov 24 10:00:00 mx1 postfix/smtpd[2201]: NOQUEUE: reject: RCPT from dsl-203-0-113-9.example.net[203.0.113.9]: 554 5.7.1 <\"a; from=<ceo@partner.example> to=<b> proto=ESMTP helo=<[192.0.2.44]>\"@foreign.example>: Relay access denied; from=<spam@bad.example> to=<\"a; from=<ceo@partner.example> to=<b> proto=ESMTP helo=<[192.0.2.44]>\"@foreign.example> proto=ESMTP helo=<bad.example>"],
            1, EventNames.RcptReject, "203.0.113.9", "reason", Reasons.RelayDenied),
        new("a HELO shaped like a client", LogFormat.Postfix,
            ["Nov 24 10:00:00 mx1 postfix/smtpd[2201]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <a@foreign.example>: Relay access denied; from=<x@bad.example> to=<a@foreign.example> proto=ESMTP helo=<from[192.0.2.44]:>"],
            1, EventNames.RcptReject, "203.0.113.9", "helo", "from[192.0.2.44]:"),
        // A relay probe whose recipient names another reason would count as a harvest, not a probe.
        new("a probing recipient naming another refusal", LogFormat.Postfix,
            ["Nov 24 10:00:00 mx1 postfix/smtpd[2201]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <\"User unknown\"@foreign.example>: Relay access denied; from=<x@bad.example> to=<\"User unknown\"@foreign.example> proto=ESMTP helo=<bad.example>"],
            1, EventNames.RcptReject, "203.0.113.9", "reason", Reasons.RelayDenied),

        // Exim: H=host (helo) [ip]:port, then F=<sender>, and on a <= line id= and T="subject" after H=.
        new("a quoted sender holding H=", LogFormat.Exim,
            ["2026-11-24 10:00:00.000 [1230] H=(fake.domain) [203.0.113.9]:51234 F=<\"x H=(y) [192.0.2.44]:25\"@bad.example> rejected RCPT <a@ours.example>: relay not permitted"],
            1, EventNames.RcptReject, "203.0.113.9", "rcpt_to", "a@ours.example"),
        new("a probing recipient naming another refusal", LogFormat.Exim,
            ["2026-11-24 10:00:00.000 [1232] H=(fake.domain) [203.0.113.9]:51234 F=<x@bad.example> rejected RCPT <\"User unknown\"@elsewhere.example>: relay not permitted"],
            1, EventNames.RcptReject, "203.0.113.9", "reason", Reasons.RelayDenied),
        new("a Message-ID and subject holding H=", LogFormat.Exim,
            ["2026-11-24 10:00:00.000 [1231] 1vBxQa-000000000Jk-0A1c <= x@partner.example H=mail.partner.example [198.51.100.10]:40100 P=esmtp S=100 id=a@b H=evil [192.0.2.44]:25 T=\"H=evil [192.0.2.44]:25\""],
            1, EventNames.Message, "198.51.100.10", "mail_from", "x@partner.example"),

        // Domino: the Message-ID comes before "received from ip"; a refused recipient before "for host (ip)".
        new("a Message-ID holding received from", LogFormat.Domino,
            ["[004711:000030-7F00] 24.11.2026 10:00:00   SMTP Server: Message 0003A1F9 (MessageID: <a) received from 192.0.2.44 size 1 bytes (b@bad.example>) received from 203.0.113.9 size 100 bytes"],
            1, EventNames.Message, "203.0.113.9"),
        new("a refused recipient holding a bracketed address", LogFormat.Domino,
            ["[004711:000031-7F00] 24.11.2026 10:00:00   SMTP Server: Recipient <\"[192.0.2.44]\"@ours.example> rejected for dsl.example.net (203.0.113.9): 550 5.1.1 <\"[192.0.2.44]\"@ours.example>... User unknown"],
            1, EventNames.RcptReject, "203.0.113.9"),
        new("an AUTH user holding connecting host", LogFormat.Domino,
            ["[004711:000032-7F00] 24.11.2026 10:00:00   SMTP Server: Authentication failed for user x ; connecting host 192.0.2.44 ; connecting host 203.0.113.9"],
            1, EventNames.AuthFailure, "203.0.113.9"),
        new("an internet-password user holding a bracketed address", LogFormat.Domino,
            ["[004711:000033-7F00] 24.11.2026 10:00:00   smtp: x [192.0.2.44] [203.0.113.9] authentication failure using internet password"],
            1, EventNames.AuthFailure, "203.0.113.9"),

        // Cisco ESA: sender, recipient and subject are quoted text after ICID and MID.
        new("a sender, recipient and subject holding another ICID", LogFormat.Ironport,
            [
                "Tue Nov 24 10:00:00 2026 Info: New SMTP ICID 2001 interface Incoming (192.0.2.20) address 192.0.2.44 reverse dns host innocent.example verified yes",
                "Tue Nov 24 10:00:01 2026 Info: New SMTP ICID 2002 interface Incoming (192.0.2.20) address 203.0.113.9 reverse dns host unknown verified no",
                "Tue Nov 24 10:00:02 2026 Info: Start MID 6001 ICID 2002",
                "Tue Nov 24 10:00:02 2026 Info: MID 6001 ICID 2002 From: <\"x ICID 2001 \"@bad.example>",
                "Tue Nov 24 10:00:02 2026 Info: MID 6001 Subject 'ICID 2001 REJECT SG BLOCKED'",
                "Tue Nov 24 10:00:03 2026 Info: MID 6001 ICID 2002 To: <\"y> Rejected by RAT ICID 2001\"@ours.example> Rejected by LDAPACCEPT",
            ],
            6, EventNames.RcptReject, "203.0.113.9"),

        // Exchange: the client's commands are a CSV field, quoted with doubled quotes; the client is remote-endpoint.
        new("a recipient holding CSV commas and quotes", LogFormat.Exchange,
            [
                ExchangeProtocolHeader,
                "2026-11-24T10:00:00.000Z,EDGE1\\Default internal receive connector EDGE1,08DE0A00000000A0,0,192.0.2.30:25,203.0.113.9:51234,+,,",
                "2026-11-24T10:00:01.000Z,EDGE1\\Default internal receive connector EDGE1,08DE0A00000000A0,1,192.0.2.30:25,203.0.113.9:51234,<,\"RCPT TO:<\"\"x,192.0.2.44:25,+,\"\"@ours.example>\",",
                "2026-11-24T10:00:01.001Z,EDGE1\\Default internal receive connector EDGE1,08DE0A00000000A0,2,192.0.2.30:25,203.0.113.9:51234,>,550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup,",
            ],
            4, EventNames.RcptReject, "203.0.113.9"),
        new("a subject holding CSV commas and quotes", LogFormat.Exchange,
            [
                ExchangeTrackingHeader,
                "2026-11-24T10:00:02.000Z,203.0.113.9,dsl.example.net,192.0.2.30,EDGE1,08DE0A00000000A1;250 2.6.0 <1@bad.example> Queued mail for delivery,Default internal receive connector EDGE1,SMTP,RECEIVE,4398046511199,<1@bad.example>,6f1c2b1e-8a44-4c1d-9e55-08dd0a0000a1,alice.smith@ours.example,,100,1,,,\"x\"\",192.0.2.44,innocent,\"\"RECEIVE\",x@bad.example,x@bad.example,,Incoming,,203.0.113.9,192.0.2.30,",
            ],
            2, EventNames.Message, "203.0.113.9", "mail_from", "x@bad.example"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ASmuggledFieldNeverChangesTheClientTheEventOrAnotherField(Case attack)
    {
        var parser = LogFormats.CreateParser(attack.Format);
        var origin = new LineOrigin(Path.Combine("logs", "relay1", "attacked.log"), "relay1", TimestampContext.Utc(2026));
        var events = new List<SmtpEvent>();
        for (var i = 0; i < attack.Lines.Length; i++)
        {
            var result = parser.Parse(attack.Lines[i], origin, i + 1);
            output.WriteLine($"{i + 1}: {result.Outcome} {result.Kind}");
            events.AddRange(parser.TakeReleased());
            events.AddRange(result.Events);
        }

        events.AddRange(parser.TakeWaiting(origin.File));
        var recorded = events.Where(e => e.Line == (ulong)attack.Attacked).ToList();

        var smtp = Assert.Single(recorded);
        Assert.NotEqual(Smuggled, smtp.ClientIp);
        Assert.Equal((attack.Event, attack.ClientIp), (smtp.Event, smtp.ClientIp));
        if (attack.Field.Length > 0)
        {
            Assert.Equal(attack.Value, ColumnOf(smtp, attack.Field));
        }
    }

    private static string ColumnOf(SmtpEvent smtp, string column) => column switch
    {
        "rcpt_to" => smtp.RcptTo,
        "mail_from" => smtp.MailFrom,
        "helo" => smtp.Helo,
        "reason" => smtp.Reason,
        _ => throw new ArgumentException($"No column {column} in this test.", nameof(column)),
    };
}
