using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Sendmail;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using Sprache;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Sendmail;

/// <summary>Sendmail's records: OSSEC's real sm-mta lines, and lines written for these tests in Sendmail's wording.</summary>
public sealed class SendmailParserTests : IDisposable
{
    private static readonly LineOrigin Origin = new("maillog", null, TimestampContext.Utc(2026));

    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-sendmail-test-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>OSSEC's sm-mta alerts: every one is a refusal with its client, recipient or sender, and reason.</summary>
    [CorpusFact]
    public void TheCorporaRefusalsAreEventsWithTheirClients()
    {
        var lines = Directory.EnumerateFiles(Corpora.PathOf("ossec-hids/log-entries")).SelectMany(File.ReadLines)
            .Where(l => l.StartsWith("sm-mta[", StringComparison.Ordinal)).Select(l => "May 25 20:08:00 mail " + l).ToList();
        var parser = new SendmailParser();

        var events = lines.Select((l, i) => parser.Parse(l, Origin, i + 1)).Select(r => r.Event).ToList();

        Assert.True(lines.Count >= 10);
        Assert.All(events, e => Assert.True(e is { Event: "rcpt_reject" or "reject" } && e.ClientIp.Length > 0 && e.Reason != "other", e?.Detail));
        Assert.Contains(events, e => e!.Reason == "rbl" && e.Event == "reject");
        Assert.Contains(events, e => e!.Reason == "relay_denied" && e.RcptTo.Length > 0);
        Assert.Contains(events, e => e!.Reason == "sender_rejected" && e.MailFrom.Length > 0);
        Assert.Equal(LogFormat.Sendmail, LogFormats.Detect(lines));
    }

    /// <summary>
    /// The abuse signals Sendmail logs beside its envelopes, in its wording (lines written for this test after
    /// those fail2ban's sendmail-auth and sendmail-reject filters are tested on): each is an event of its client.
    /// </summary>
    [Theory]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5001]: 4AOC0001005001: [198.51.100.21]: possible SMTP attack: command=AUTH, count=5",
        "sendmail.smtp_attack", "protocol_violation", "198.51.100.21", "")]
    [InlineData("Nov 24 12:00:00 mx4 sendmail[5002]: 4AOC0002005002: dsl-198-51-100-22.example.net [198.51.100.22] (may be forged): possible SMTP attack: command=AUTH, count=6",
        "sendmail.smtp_attack", "protocol_violation", "198.51.100.22", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-acceptingconnections[5003]: 4AOC0003005003: scanner.example.net [198.51.100.23] (may be forged) did not issue MAIL/EXPN/VRFY/ETRN during connection to TLSMTA",
        "sendmail.no_transaction", "no_transaction", "198.51.100.23", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5004]: 4AOC0004005004: scanner.example.net [IPv6:2001:DB8::24] did not issue MAIL/EXPN/VRFY/ETRN during connection to IPv6",
        "sendmail.no_transaction", "no_transaction", "2001:db8::24", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5005]: 4AOC0005005005: lost input channel from [198.51.100.25] to MTA after data",
        "sendmail.lost_input", "lost_connection", "198.51.100.25", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5006]: 4AOC0006005006: [198.51.100.26]: EXPN root [rejected]",
        "sendmail.expn_vrfy_rejected", "reject", "198.51.100.26", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5007]: 4AOC0007005007: host.example.net [198.51.100.27]: vrfy postmaster [rejected]",
        "sendmail.expn_vrfy_rejected", "reject", "198.51.100.27", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5008]: 4AOC0008005008: rejecting commands from [198.51.100.28] due to pre-greeting traffic after 2 seconds",
        "sendmail.pregreet", "pregreet", "198.51.100.28", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5009]: 4AOC0009005009: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=info@ours.example, relay=dsl.example.net [198.51.100.29] (may be forged)",
        "sendmail.auth_failure", "auth_failure", "198.51.100.29", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5010]: 4AOC0010005010: AUTH failure (CRAM-MD5): user not found (-20) SASL(-13): user not found: unable to canonify user and get auxprops, user=scanner, relay=[198.51.100.30]",
        "sendmail.auth_failure", "auth_failure", "198.51.100.30", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5011]: ruleset=check_relay, arg1=dsl.example.net, arg2=198.51.100.31, relay=dsl.example.net [198.51.100.31], reject=421 4.3.2 Connection rate limit exceeded.",
        "sendmail.check_relay", "rate_limited", "198.51.100.31", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5012]: ruleset=check_relay, arg1=[198.51.100.32], arg2=198.51.100.32, relay=[198.51.100.32], reject=421 4.3.2 Too many open connections.",
        "sendmail.check_relay", "rate_limited", "198.51.100.32", "")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5013]: 4AOC0013005013: ruleset=check_mail, arg1=<x@nowhere.example>, relay=[198.51.100.33], reject=553 5.1.8 <x@nowhere.example>... Domain of sender address x@nowhere.example does not exist",
        "sendmail.check_mail", "reject", "198.51.100.33", "sender_rejected")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[5014]: 4AOC0014005014: ruleset=check_rcpt, arg1=<a@elsewhere.example>, relay=dsl.example.net [198.51.100.34], reject=550 5.7.1 <a@elsewhere.example>... Relaying denied. IP name lookup failed [198.51.100.34]",
        "sendmail.check_rcpt", "rcpt_reject", "198.51.100.34", "relay_denied")]
    public void TheAbuseSignalsAreEventsOfTheirClients(string line, string kind, string eventName, string clientIp, string reason)
    {
        var parser = new SendmailParser();

        var result = parser.Parse(line, Origin, 1);

        Assert.Equal((LineOutcome.Event, kind), (result.Outcome, result.Kind));
        Assert.Equal((eventName, clientIp), (result.Event!.Event, result.Event.ClientIp));
        Assert.True(reason.Length == 0 || result.Event.Reason == reason, result.Event.Reason);
    }

    /// <summary>A line whose syslog daemon wrote no host name is the relay's whose folder holds the file, as for Postfix and Exim.</summary>
    [Fact]
    public void ALineWithoutAHostNameIsTheRelayOfItsFolder()
    {
        var origin = new LineOrigin(Path.Combine("var", "log", "mx4", "maillog"), null, TimestampContext.Utc(2026));

        var result = new SendmailParser().Parse("Mar 7 02:09:33 sm-mta[5016]: 4AOC0016005016: lost input channel from [198.51.100.36] to MTA after rcpt", origin, 1);

        Assert.Equal(("lost_connection", "mx4", "198.51.100.36"), (result.Event!.Event, result.Event.Relay, result.Event.ClientIp));
    }

    /// <summary>Skipped means known: a line is skipped only when its kind carries nothing we store; any other Sendmail line says it is unknown.</summary>
    [Theory]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[6001]: 4AOC0001006001: a wording no release of ours writes, from [198.51.100.1]", LineOutcome.Unrecognised, "unknown sendmail line")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[6002]: STARTTLS=client, relay=mx1.bigmail.example., version=TLSv1.3, verify=FAIL, cipher=TLS_AES_256_GCM_SHA384, bits=256/256", LineOutcome.Skipped, "sendmail.starttls_client")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[6003]: starting daemon (8.17.1): SMTP+queueing@00:25:00", LineOutcome.Skipped, "sendmail.daemon")]
    [InlineData("Nov 24 12:00:00 mx4 sm-mta[6004]: 4AOC0004006004: Milter (greylist): init success to negotiate", LineOutcome.Skipped, "sendmail.milter_note")]
    [InlineData("Nov 24 12:00:00 mx4 sendmail[6005]: NOQUEUE: [192.0.2.5]: expn root", LineOutcome.Skipped, "sendmail.expn")]
    public void OnlyKnownLinesAreSkippedAndAnyOtherIsUnrecognisedWithAReason(string line, LineOutcome outcome, string kind)
    {
        var result = new SendmailParser().Parse(line, Origin, 1);

        Assert.Equal((outcome, kind), (result.Outcome, result.Kind));
    }

    [Fact]
    public void AHostLineWhoseClientIsUnreadableSaysSo()
    {
        var result = new SendmailParser().Parse("Nov 24 12:00:00 mx4 sm-mta[5015]: 4AOC0015005015: host.example [198.51.100] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA", Origin, 1);

        Assert.Equal((LineOutcome.Unrecognised, "no client address in sendmail no transaction line"), (result.Outcome, result.Kind));
    }

    [Fact]
    public void ARefusalBeforeTheClientIsNamedWaitsAndIsReleasedWithIt()
    {
        var parser = new SendmailParser();
        var refused = parser.Parse("Nov 24 09:10:01 mx4 sm-mta[42]: 4AO9A001000042: <admin@ours.example>... User unknown", Origin, 1);
        Assert.Equal((LineOutcome.Event, (Ingest.Events.SmtpEvent?)null), (refused.Outcome, refused.Event));
        Assert.Empty(parser.TakeReleased());

        parser.Parse("Nov 24 09:10:03 mx4 sm-mta[42]: 4AO9A001000042: from=<x@y.example>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=bad.example [203.0.113.77]", Origin, 2);

        var released = Assert.Single(parser.TakeReleased());
        Assert.Equal(("rcpt_reject", "admin@ours.example", "203.0.113.77", "bad.example", "x@y.example", 1UL), (released.Event, released.RcptTo, released.ClientIp, released.ClientHost, released.MailFrom, released.Line));
        Assert.Empty(parser.TakeWaiting("maillog"));
    }

    /// <summary>
    /// A milter's refusal (milter-greylist deferring a first contact, a content filter refusing the data)
    /// is a refusal of the client that the session's STARTTLS line named; a milter line refusing nothing is a note.
    /// </summary>
    [Fact]
    public void AMiltersRefusalIsARecipientRefusalOfItsClient()
    {
        var parser = new SendmailParser();
        parser.Parse("Nov 24 09:20:00 mx4 sm-mta[43]: STARTTLS=server, relay=mail.smallfirm.example [198.51.100.33], version=TLSv1.3, verify=NO, cipher=TLS_AES_256_GCM_SHA384, bits=256/256", Origin, 1);

        var result = parser.Parse("Nov 24 09:20:01 mx4 sm-mta[43]: 4AO9K001000043: Milter: to=<alice.smith@ours.example>, reject=451 4.7.1 Greylisting in action, please come back later", Origin, 2);

        Assert.Equal("sendmail.milter", result.Kind);
        Assert.Equal(("rcpt_reject", "alice.smith@ours.example", "198.51.100.33", (ushort)451), (result.Event!.Event, result.Event.RcptTo, result.Event.ClientIp, result.Event.SmtpCode));
        var data = parser.Parse("Nov 24 09:20:02 mx4 sm-mta[43]: 4AO9K101000043: Milter: data, reject=554 5.7.1 Rejected as spam", Origin, 3);
        Assert.Equal(("reject", "198.51.100.33", (ushort)554), (data.Event!.Event, data.Event.ClientIp, data.Event.SmtpCode));
        Assert.Equal(LineOutcome.Skipped, parser.Parse("Nov 24 09:20:03 mx4 sm-mta[43]: 4AO9K101000043: Milter: to=<bob@ours.example>, accept", Origin, 4).Outcome);
    }

    [Fact]
    public void AnEventStillWaitingWhenTheBatchIsCutIsStoredWithItsLineAndNotAgain()
    {
        var parser = new SendmailParser();
        parser.Parse("Nov 24 09:10:01 mx4 sm-mta[42]: 4AO9A001000042: <admin@ours.example>... User unknown", Origin, 1);

        var waiting = Assert.Single(parser.TakeWaiting("maillog"));
        parser.Parse("Nov 24 09:10:03 mx4 sm-mta[42]: 4AO9A001000042: from=<>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=[203.0.113.77]", Origin, 2);

        Assert.Equal((string.Empty, "admin@ours.example"), (waiting.ClientIp, waiting.RcptTo));
        Assert.Empty(parser.TakeReleased());
    }

    /// <summary>
    /// Exactly once with waiting events: ingested in batches of three lines (cutting between a refusal and
    /// the line that names its client, and resuming each batch from its checkpoint) and read again, or in
    /// one batch, the rows are the same lines once each.
    /// </summary>
    [Fact]
    public async Task BatchCutsAndResumesStoreEveryLineOnce()
    {
        var path = Path.Combine(directory, "mx4", "maillog");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(SampleFiles.PathOf("sendmail/mx4/maillog"), path);
        await using var whole = await TestEngine.OpenKeepingEverythingAsync();
        await using var small = await TestEngine.OpenKeepingEverythingAsync();

        await new IngestRunner(whole, new IngestOptions { Year = 2026 }, TimeProvider.System, NullLogger.Instance).IngestAsync([path], CancellationToken.None);
        await new IngestRunner(small, new IngestOptions { Year = 2026, BatchLines = 3 }, TimeProvider.System, NullLogger.Instance).IngestAsync([path], CancellationToken.None);
        await new IngestRunner(small, new IngestOptions { Year = 2026, BatchLines = 3 }, TimeProvider.System, NullLogger.Instance).IngestAsync([path], CancellationToken.None);

        const string Lines = "SELECT groupArray(line) FROM (SELECT line FROM smtp_events ORDER BY line)";
        var expected = await whole.QueryScalarAsync(Lines, CancellationToken.None);
        Assert.Equal(expected, await small.QueryScalarAsync(Lines, CancellationToken.None));
        // 20 lines of events; the partner's delivery names two recipients, one row each.
        Assert.Equal("21", await small.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None));
    }

    /// <summary>The span field splitter reads as <see cref="SendmailGrammar.Fields"/> does, on the sample, the corpora and damaged copies.</summary>
    [CorpusFact]
    public void TheFieldSplitterReadsAsTheGrammarDoes()
    {
        var texts = File.ReadLines(SampleFiles.PathOf("sendmail/mx4/maillog"))
            .Concat(Directory.EnumerateFiles(Corpora.PathOf("ossec-hids/log-entries")).SelectMany(File.ReadLines))
            .Select(AfterQueueId)
            .Concat(["a=1, b=2", "a=x, y", "a=, b=", "stat=Sent (ok, queued), x=1", "=1", "a=1, =2", "a=1,, b=2"]).ToList();
        var random = new Random(9);
        var split = new List<KeyValuePair<string, string>>();
        var compared = 0;
        foreach (var text in texts.Concat(Enumerable.Range(0, 5000).Select(_ => LineDamage.Mutate(texts[random.Next(texts.Count)], random))))
        {
            var grammar = SendmailGrammar.Fields.TryParse(text);
            Assert.True(grammar.WasSuccessful == SendmailFields.TrySplit(text, split), text);
            if (grammar.WasSuccessful)
            {
                Assert.Equal(grammar.Value, split);
                compared++;
            }
        }

        Assert.True(compared > 500, $"{compared} compared");
    }

    /// <summary>The text after <c>program[pid]: qid: </c>, or the line when it has no such prefix.</summary>
    private static string AfterQueueId(string line)
    {
        var tag = line.IndexOf("]: ", StringComparison.Ordinal);
        var rest = tag < 0 ? line : line[(tag + 3)..];
        var colon = rest.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? rest : rest[(colon + 2)..];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void RandomlyDamagedLinesNeverThrowAndGiveWellFormedResults(int seed)
    {
        var parser = new SendmailParser();
        DamagedLines.AreHandled(parser, File.ReadAllLines(SampleFiles.PathOf("sendmail/mx4/maillog")), Origin, seed);
        Assert.True(parser.WaitingEvents <= 1_000);
    }
}
