using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Ironport;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Templates;
using RelayWatch.Ingest.Tests.Support;
using Sprache;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Ironport;

/// <summary>Lines written for these tests in AsyncOS's wording, and the corpora's mail_logs.</summary>
public sealed class IronportParserTests
{
    private static readonly LineOrigin Origin = new(Path.Combine("logs", "esa1", "mail_logs"), null, TimestampContext.Utc(2026));

    [Theory]
    [InlineData("Tue Nov 24 08:00:01 2026 Info: New SMTP ICID 7 interface Main (192.0.2.20) address 198.51.100.10 reverse dns host mx.example.net verified yes", "2026-11-24T08:00:01", "esa1")]
    [InlineData("Tue Nov  3 08:00:01 2026 Info: New SMTP ICID 7 interface Main (192.0.2.20) address 198.51.100.10 reverse dns host mx.example.net verified yes", "2026-11-03T08:00:01", "esa1")]
    [InlineData("<166>Nov 24 08:00:01 mail_logs: Info: New SMTP ICID 7 interface Main (192.0.2.20) address 198.51.100.10 reverse dns host mx.example.net verified yes", "2026-11-24T08:00:01", "esa1")]
    [InlineData("<94>Nov 24 08:00:01 esa2.ours.example mail_logs: Info: New SMTP ICID 7 interface Main (192.0.2.20) address 198.51.100.10 reverse dns host mx.example.net verified yes", "2026-11-24T08:00:01", "esa2.ours.example")]
    [InlineData("Nov 24 08:00:01 esa2 mail_logs: Info: New SMTP ICID 7 interface Main (192.0.2.20) address 198.51.100.10 reverse dns host mx.example.net verified yes", "2026-11-24T08:00:01", "esa2")]
    public void TheApplianceFileAndSyslogBothGiveTheStampAndRelay(string line, string stamp, string relay)
    {
        var e = new IronportParser().Parse(line, Origin, 1).Event!;

        Assert.Equal((DateTimeOffset.Parse(stamp + "Z", System.Globalization.CultureInfo.InvariantCulture), relay, "connect", "198.51.100.10", "mx.example.net"), (e.Timestamp, e.Relay, e.Event, e.ClientIp, e.ClientHost));
    }

    [Fact]
    public void AConnectionsRefusalsAndAMessagesDeliveryCarryTheClient()
    {
        var parser = new IronportParser();
        string[] lines =
        [
            "Tue Nov 24 09:10:00 2026 Info: New SMTP ICID 2 interface Incoming (192.0.2.20) address 203.0.113.77 reverse dns host unknown verified no",
            "Tue Nov 24 09:10:01 2026 Info: Start MID 9 ICID 2",
            "Tue Nov 24 09:10:01 2026 Info: MID 9 ICID 2 From: <a@b.example>",
            "Tue Nov 24 09:10:01 2026 Info: MID 9 ICID 2 To: <ghost@ours.example> Rejected by LDAPACCEPT",
            "Tue Nov 24 09:10:01 2026 Info: MID 9 ICID 2 RID 0 To: <alice@ours.example>",
            "Tue Nov 24 09:10:02 2026 Info: MID 9 Message-ID '<m9@b.example>'",
            "Tue Nov 24 09:10:02 2026 Info: MID 9 ready 1200 bytes from <a@b.example>",
            "Tue Nov 24 09:10:02 2026 Info: ICID 2 close",
            "Tue Nov 24 09:10:03 2026 Info: New SMTP DCID 4 interface 10.20.2.11 address 10.20.0.5 port 2222",
            "Tue Nov 24 09:10:03 2026 Info: Message done DCID 4 MID 9 to RID [0]",
        ];

        var events = lines.Select((l, i) => parser.Parse(l, Origin, i + 1)).Where(r => r.Event is not null).Select(r => r.Event!).ToList();

        Assert.Equal(["connect", "rcpt_reject", "message", "disconnect", "delivery"], events.Select(e => e.Event));
        Assert.All(events, e => Assert.Equal(("203.0.113.77", "esa1/icid/2"), (e.ClientIp, e.SessionId)));
        var refusal = events[1];
        Assert.Equal(("ghost@ours.example", "a@b.example", "user_unknown"), (refusal.RcptTo, refusal.MailFrom, refusal.Reason));
        Assert.Equal(("9", "m9@b.example", 1200UL), (events[2].QueueId, events[2].MessageId, events[2].Size));
        Assert.Equal(("alice@ours.example", "[10.20.0.5]:2222", "m9@b.example"), (events[4].RcptTo, events[4].NextHop, events[4].MessageId));
    }

    [Theory]
    [InlineData("Tue Nov 24 09:10:00 2026 Info: Begin Logfile", "ironport.note")]
    [InlineData("Tue Nov 24 09:10:00 2026 Warning: Your key will expire", "ironport.warning")]
    [InlineData("<166>Nov 24 09:10:00 antivirus: Info: sophos antivirus - MID 1 - Result 'CLEAN' ()", "other log")]
    [InlineData("Tue Nov 24 09:10:00 2026 Info: MID 9 Subject 'hello'", "ironport.message_note")]
    [InlineData("Tue Nov 24 09:10:00 2026 Info: ICID 2 ACCEPT SG None match ALL SBRS None", "ironport.verdict")]
    public void NotesAndOtherLogsAreSkipped(string line, string kind)
    {
        var result = new IronportParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Skipped, kind), (result.Outcome, result.Kind));
    }

    private const string Connected = "Tue Nov 24 10:00:00 2026 Info: New SMTP ICID 31 interface Incoming (192.0.2.20) address 203.0.113.50 reverse dns host unknown verified no";

    /// <summary>
    /// What AsyncOS says of a connection besides its verdict — its limits, protocol errors, refused senders,
    /// clients that never sent a command — written by us in the wordings of Cisco's guide and IronPort's own
    /// log tools: each an event of the connection's client.
    /// </summary>
    [Theory]
    [InlineData("ICID 31 Receiving Failed: Connection limit exceeded", "rate_limited", "")]
    [InlineData("ICID 31 Receiving Failed: Too Many Messages", "rate_limited", "")]
    [InlineData("ICID 31 Receiving Failed: Message loop", "reject", "other")]
    [InlineData("ICID 31 Bad syntax for command: MAIL FROM <x@y>", "protocol_violation", "")]
    [InlineData("ICID 31 Unknown command: GET / HTTP/1.1", "protocol_violation", "")]
    [InlineData("ICID 31 Address: <x@no-such-domain.example> sender rejected, envelope sender domain does not exist", "reject", "sender_rejected")]
    [InlineData("ICID 31 Invalid sender address: Unsupported domain literal: '[]'", "reject", "sender_rejected")]
    [InlineData("ICID 31 disconnected address 203.0.113.50, no messages injected within timeout period", "no_transaction", "")]
    [InlineData("ICID 31 Connection from 203.0.113.50 on interface Incoming (192.0.2.20) lost after 30 seconds (DNS query took 30 seconds), before any commands were received", "no_transaction", "")]
    [InlineData("SMTP Auth (ICID 31) failed for user: admin using AUTH mechanism: LOGIN with profile: Submission", "auth_failure", "")]
    [InlineData("SMTP Auth: (ICID 31) LDAP query/user lookup failed for user: oracle", "auth_failure", "")]
    public void TheConnectionsSignalLinesAreEventsOfItsClient(string text, string eventName, string reason)
    {
        var parser = new IronportParser();
        parser.Parse(Connected, Origin, 1);

        var e = parser.Parse("Tue Nov 24 10:00:01 2026 Info: " + text, Origin, 2).Event!;

        Assert.Equal((eventName, "203.0.113.50", "esa1/icid/31", reason), (e.Event, e.ClientIp, e.SessionId, e.Reason));
    }

    /// <summary>The check that refused a recipient gives its reason: directory harvest prevention and receiving control as well as LDAP and the RAT.</summary>
    [Theory]
    [InlineData("Rejected by DHAP", "user_unknown")]
    [InlineData("Rejected by Receiving Control", "policy")]
    [InlineData("Rejected by Injection Control", "policy")]
    [InlineData("Rejected by RAT", "relay_denied")]
    public void ARefusedRecipientsReasonIsTheCheckThatRefusedIt(string refusal, string reason)
    {
        var parser = new IronportParser();
        parser.Parse(Connected, Origin, 1);
        parser.Parse("Tue Nov 24 10:00:01 2026 Info: Start MID 77 ICID 31", Origin, 2);

        var e = parser.Parse("Tue Nov 24 10:00:01 2026 Info: MID 77 ICID 31 To: <x@ours.example> " + refusal, Origin, 3).Event!;

        Assert.Equal(("rcpt_reject", "x@ours.example", reason, refusal), (e.Event, e.RcptTo, e.Reason, e.Detail));
    }

    /// <summary>AsyncOS before 3.8 named the delivery connection "DCID:" and the message "Message"; its bounces are bounces still.</summary>
    [Fact]
    public void AnOldApplianceBounceIsABounce()
    {
        var e = new IronportParser().Parse("Sat Jan 10 09:45:42 2026 Info: Bounced: DCID: 1911 Message 3993 to 0 - 5.1.0 - Unknown address error ('554', ['Too long line.']) []", Origin, 1).Event!;

        Assert.Equal(("bounce", "3993", (ushort)554, "5.1.0"), (e.Event, e.QueueId, e.SmtpCode, e.Dsn));
    }

    /// <summary>A line of the mail log no kind names is unrecognised with a reason, so a new wording shows in the data-quality counts instead of passing as a note.</summary>
    [Theory]
    [InlineData("Tue Nov 24 10:00:00 2026 Info: MID 5 some wording AsyncOS will write one day", "unknown ironport line")]
    [InlineData("Tue Nov 24 10:00:00 2026 Info: ICID 5 some wording AsyncOS will write one day", "unknown ironport line")]
    [InlineData("Tue Nov 24 10:00:00 2026 Info: Something the appliance never said", "unknown ironport line")]
    [InlineData("Tue Nov 24 10:00:00 2026 Info: MID 1234567890123456789012 ready 100 bytes from <a@b.example>", "unreadable id in ironport.message")]
    public void ALineNoKindNamesIsUnrecognisedWithAReason(string line, string why)
    {
        var result = new IronportParser().Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Unrecognised, why), (result.Outcome, result.Kind));
    }

    /// <summary>Elastic's mail_logs fixtures: every line is read without an exception, none is unrecognised, and the connections and recipients in them are events.</summary>
    [CorpusTheory]
    [InlineData("elastic-integrations-cisco_secure_email_gateway/sample_logs/mail_logs.@123456789.s")]
    [InlineData("elastic-integrations-cisco_secure_email_gateway/pipeline/test-common-text-mail.log")]
    public void TheCorporaMailLogsAreRecognised(string file)
    {
        var parser = new IronportParser();
        var origin = new LineOrigin(file, "esa", TimestampContext.Utc(2022));
        var results = Corpora.Lines(file).Select((l, i) => (Line: l, Result: parser.Parse(l, origin, i + 1))).ToList();

        Assert.All(results, r => Assert.True(r.Result.Outcome != LineOutcome.Unrecognised, $"{r.Result.Kind}: {r.Line}"));
        Assert.Contains(results, r => r.Result.Event is { Event: "connect", ClientIp: "1.128.3.4" });
        Assert.Equal(LogFormat.Ironport, LogFormats.Detect(Corpora.Lines(file)));
    }

    /// <summary>The span prefix reader reads as <see cref="IronportGrammar.Prefix"/> does, on the corpora, the sample and damaged copies of them.</summary>
    [CorpusFact]
    public void ThePrefixReaderReadsAsTheGrammarDoes()
    {
        var lines = Corpora.Lines("elastic-integrations-cisco_secure_email_gateway/sample_logs/mail_logs.@123456789.s")
            .Concat(Corpora.Lines("elastic-integrations-cisco_secure_email_gateway/pipeline/test-common-text-mail.log"))
            .Concat(File.ReadLines(SampleFiles.PathOf("ironport/esa1/mail_logs")))
            .ToList();
        var random = new Random(5);
        var all = lines.Concat(Enumerable.Range(0, 5000).Select(_ => LineDamage.Mutate(lines[random.Next(lines.Count)], random)));
        var read = 0;
        foreach (var line in all)
        {
            var grammar = IronportGrammar.Prefix.TryParse(line);
            var span = IronportPrefixReader.TryRead(line, out var prefix);
            Assert.True(grammar.WasSuccessful == span, line);
            if (span)
            {
                Assert.Equal(grammar.Value with { TextStart = grammar.Remainder.Position }, prefix);
                read++;
            }
        }

        Assert.True(read > 1000, $"{read} prefixes read");
    }

    /// <summary>
    /// Grouping the kinds by a line's words loses no line: whenever some kind of the table matches a line's
    /// text with ids that are numbers (a field matching several words of a damaged line is an unreadable id
    /// either way), the index offers one that does, on the sample, the corpora and damaged copies of them.
    /// </summary>
    [CorpusFact]
    public void TheIndexOffersAMatchingKindWheneverTheTableHasOne()
    {
        var texts = File.ReadLines(SampleFiles.PathOf("ironport/esa1/mail_logs"))
            .Concat(Corpora.Lines("elastic-integrations-cisco_secure_email_gateway/sample_logs/mail_logs.@123456789.s"))
            .Concat(Corpora.Lines("elastic-integrations-cisco_secure_email_gateway/pipeline/test-common-text-mail.log"))
            .Select(l => IronportPrefixReader.TryRead(l, out var p) ? l[p.TextStart..].TrimEnd() : null).OfType<string>().ToList();
        var random = new Random(11);
        var index = new IronportKindIndex(IronportLineKinds.All);
        var captures = new Range[8];
        var matched = 0;
        foreach (var text in texts.Concat(Enumerable.Range(0, 5000).Select(_ => LineDamage.Mutate(texts[random.Next(texts.Count)], random))))
        {
            var inTable = IronportLineKinds.All.Any(k => k.Line.Template.TryMatch(text, captures) && IdsAreNumbers(text, k, captures));
            var candidates = index.For(text);
            var offered = candidates.Exact.Concat(candidates.ByFirstWord).Concat(candidates.Any).Any(k => k.Line.Template.TryMatch(text, captures) && IdsAreNumbers(text, k, captures));
            Assert.True(inTable == offered, text);
            matched += offered ? 1 : 0;
        }

        Assert.True(matched > 1000, $"{matched} matched");
    }

    private static bool IdsAreNumbers(string text, IronportKind kind, Range[] captures)
    {
        var fields = new LineFields(text, kind.Line.Template, captures);
        foreach (var id in new[] { "icid", "mid", "dcid", "rid", "original_mid" })
        {
            if (fields.Has(id) && (fields.Get(id).IsEmpty || fields.Get(id).ContainsAnyExceptInRange('0', '9')))
            {
                return false;
            }
        }

        return true;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void RandomlyDamagedLinesNeverThrowAndGiveWellFormedResults(int seed) =>
        DamagedLines.AreHandled(new IronportParser(), File.ReadAllLines(SampleFiles.PathOf("ironport/esa1/mail_logs")), Origin, seed);
}
