using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exchange;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using Sprache;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Formats.Exchange;

/// <summary>Exchange's tracking and protocol logs from the corpora, and lines written for these tests in their shape.</summary>
public sealed class ExchangeParserTests
{
    /// <summary>The corpora's tracking logs (one with a UTF-8 BOM and CRLF): headers skipped, every record read, none unrecognised.</summary>
    [CorpusTheory]
    [InlineData("kinesis-agent-windows/MSGTRK_sample_extracted.LOG")]
    [InlineData("elastic-beats/bom8.log")]
    public void TheCorporaTrackingLogsAreRead(string file)
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin(Corpora.PathOf(file), null, TimestampContext.Utc(2017));
        var results = Corpora.Lines(file).Select((l, i) => (Line: l, Result: parser.Parse(l, origin, i + 1))).ToList();

        Assert.All(results, r => Assert.True(r.Result.Outcome != LineOutcome.Unrecognised, $"{r.Result.Kind}: {r.Line}"));
        Assert.Contains(results, r => r.Result.Kind == "exchange.header");
        Assert.Equal(LogFormat.Exchange, LogFormats.Detect(Corpora.Lines(file)));
    }

    /// <summary>CrowdSec's protocol log has no header: it is read in Exchange's default column order, and each 535 is an authentication failure of its client.</summary>
    [CorpusFact]
    public void AProtocolLogWithoutAHeaderIsReadInTheDefaultColumns()
    {
        var parser = new ExchangeParser();
        const string File = "crowdsec-hub/exchange-smtp-bf/exchange-smtp-bf.log";
        var origin = new LineOrigin(Corpora.PathOf(File), null, TimestampContext.Utc(2022));
        var events = Corpora.Lines(File).Where(l => l.Length > 0).Select((l, i) => parser.Parse(l, origin, i + 1)).ToList();

        Assert.All(events, r => Assert.Equal(("auth_failure", "192.168.9.212", "EXCHANGE-1", (ushort)535), (r.Event!.Event, r.Event.ClientIp, r.Event.Relay, r.Event.SmtpCode)));
        Assert.True(events.Count >= 5);
    }

    [Fact]
    public void ColumnsAreReadByNameWhateverTheirOrder()
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin("MSGTRK.LOG", null, TimestampContext.Utc(2026));
        parser.Parse("#Fields: event-id,date-time,sender-address,recipient-address,client-ip,server-hostname,total-bytes,message-id", origin, 1);

        var e = parser.Parse("RECEIVE,2026-11-24T08:00:00.000Z,a@b.example,c@ours.example;d@ours.example,192.0.2.9,EDGE1,1200,<m@b.example>", origin, 2).Event!;

        Assert.Equal(("message", "a@b.example", "c@ours.example,d@ours.example", "192.0.2.9", "EDGE1", 1200UL, "m@b.example"), (e.Event, e.MailFrom, e.RcptTo, e.ClientIp, e.Relay, e.Size, e.MessageId));
    }

    /// <summary>
    /// A header's columns are kept by its text (read once, not per file): files that alternate two orders of the same
    /// columns, then more distinct headers than are kept, each read their records by their own latest header.
    /// </summary>
    [Fact]
    public void EachFileReadsByItsOwnHeaderWhenHeadersRepeatAndWhenManyAreSeen()
    {
        var parser = new ExchangeParser();
        const string ByEvent = "#Fields: event-id,date-time,sender-address,client-ip";
        const string ByDate = "#Fields: date-time,client-ip,event-id,sender-address";
        // Extra unread columns make each of these headers distinct.
        var headers = Enumerable.Range(0, 150).Select(i => i % 3 == 0 ? ByEvent : i % 3 == 1 ? ByDate : $"{ByEvent},x-extra-{i}").ToList();
        for (var i = 0; i < headers.Count; i++)
        {
            var origin = new LineOrigin($"MSGTRK{i}.LOG", null, TimestampContext.Utc(2026));
            Assert.Equal((LineOutcome.Skipped, "exchange.header"), (parser.Parse(headers[i], origin, 1) is var h ? (h.Outcome, h.Kind) : default));
            var ip = $"192.0.2.{i}";
            var record = headers[i].StartsWith(ByDate, StringComparison.Ordinal)
                ? $"2026-11-24T08:00:00.000Z,{ip},RECEIVE,s{i}@b.example"
                : $"RECEIVE,2026-11-24T08:00:00.000Z,s{i}@b.example,{ip}" + (i % 3 == 2 ? ",extra" : string.Empty);
            var e = parser.Parse(record, origin, 2).Event!;
            Assert.Equal(("message", $"s{i}@b.example", ip), (e.Event, e.MailFrom, e.ClientIp));
        }
    }

    [Fact]
    public void ASendProtocolLogIsRecognisedAndSkipped()
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin("SEND20261124-1.LOG", null, TimestampContext.Utc(2026));
        parser.Parse("#Log-type: SMTP Send Protocol Log", origin, 1);
        parser.Parse("#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context", origin, 2);

        var results = new[]
        {
            "2026-11-24T13:00:03.000Z,Internet,08DE0A0000000031,0,192.0.2.30:51000,192.0.2.100:25,+,,",
            "2026-11-24T13:00:03.100Z,Internet,08DE0A0000000031,1,192.0.2.30:51000,192.0.2.100:25,<,550 5.1.1 User unknown,",
        }.Select((l, i) => parser.Parse(l, origin, i + 3)).ToList();

        Assert.All(results, r => Assert.Equal((LineOutcome.Skipped, "exchange.send_protocol"), (r.Outcome, r.Kind)));
    }

    private const string ProtocolHeader = "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context";

    private static List<LineResult> ReadSession(params string[] records)
    {
        var parser = new ExchangeParser();
        var origin = new LineOrigin("RECV20261124-1.LOG", null, TimestampContext.Utc(2026));
        parser.Parse(ProtocolHeader, origin, 1);
        return [.. records.Select((r, i) => parser.Parse($"2026-11-24T11:00:0{i}.000Z,EDGE1\\Default Frontend EDGE1,08DE0A00000000B0,{i},192.0.2.30:25,203.0.113.60:40000,{r}", origin, i + 2))];
    }

    /// <summary>
    /// Replies whose wording says what the client did — a mechanism the connector does not offer, a command
    /// that is not SMTP, a limit, a timeout — are events of their own kind, written by us in Exchange's
    /// wording (the first as a password guesser's session shows it in a public write-up).
    /// </summary>
    [Theory]
    [InlineData("504 5.7.4 Unrecognized authentication type", "protocol_violation")]
    [InlineData("500 5.3.3 Unrecognized command 'GET'", "protocol_violation")]
    [InlineData("503 5.5.2 Send hello first", "protocol_violation")]
    [InlineData("421 4.4.1 Connection timed out", "timeout")]
    [InlineData("421 4.3.2 The maximum number of concurrent server connections has exceeded a limit, closing transmission channel", "rate_limited")]
    [InlineData("452 4.5.3 Too many recipients", "rate_limited")]
    [InlineData("535 5.7.3 Authentication unsuccessful", "auth_failure")]
    public void ARepliesWordingNamesItsEvent(string reply, string eventName)
    {
        var results = ReadSession("+,,", "<,EHLO ylmf-pc,", "<,AUTH LOGIN,", "*,Tarpit for '0.00:00:05',", ">," + reply + ",", "-,,Remote");

        var e = results[4].Event!;
        Assert.Equal((eventName, "203.0.113.60", "ylmf-pc"), (e.Event, e.ClientIp, e.Helo));
        Assert.Equal(["exchange.connect", "exchange.client_command", "exchange.client_command", "exchange.information"], results.Take(4).Select(r => r.Kind));
    }

    /// <summary>A client may send its commands in small letters; SMTP's verbs are case-insensitive and the recipient is the one refused.</summary>
    [Fact]
    public void ACommandInSmallLettersIsReadAsItsVerb()
    {
        var results = ReadSession("+,,", "<,ehlo Mixed.Case.Example,", "<,mail from:<a@b.example>,", "<,Rcpt To:<ghost@ours.example>,", ">,550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup,");

        var e = results[4].Event!;
        Assert.Equal(("rcpt_reject", "ghost@ours.example", "a@b.example", "Mixed.Case.Example", "user_unknown"), (e.Event, e.RcptTo, e.MailFrom, e.Helo, e.Reason));
    }

    /// <summary>An event-id, protocol event or reply no row names is unrecognised with a reason instead of skipped, so a new wording shows.</summary>
    [Fact]
    public void ARecordNoKindNamesIsUnrecognisedWithAReason()
    {
        var protocol = ReadSession("+,,", ">,no code at all,", "?,something,");
        var parser = new ExchangeParser();
        var origin = new LineOrigin("MSGTRK.LOG", null, TimestampContext.Utc(2026));
        parser.Parse("#Fields: date-time,event-id,sender-address", origin, 1);
        var tracking = parser.Parse("2026-11-24T08:00:00.000Z,FUTUREEVENT,a@b.example", origin, 2);

        Assert.Equal(
            [(LineOutcome.Unrecognised, "exchange reply without a reply code"), (LineOutcome.Unrecognised, "unknown exchange protocol event"), (LineOutcome.Unrecognised, "unknown exchange tracking event")],
            [(protocol[1].Outcome, protocol[1].Kind), (protocol[2].Outcome, protocol[2].Kind), (tracking.Outcome, tracking.Kind)]);
    }

    /// <summary>The fast reading of Exchange's date-time gives what the general parser gives, and leaves other forms to it.</summary>
    [Theory]
    [InlineData("2026-11-24T08:00:00.100Z")]
    [InlineData("2026-11-24T23:59:59Z")]
    [InlineData("2024-02-29T12:00:00.000Z")]
    [InlineData("2026-11-24T08:00:00.1234567Z")]
    [InlineData("2026-11-24 08:00:00")]
    public void TheDateTimeReadsAsTheGeneralParserReadsIt(string text)
    {
        var general = DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var expected);

        Assert.Equal((general, expected), (ExchangeTimestamp.TryRead(text, out var read), read));
    }

    [Theory]
    [InlineData("2026-02-30T08:00:00.000Z")]
    [InlineData("2026-11-24T24:00:00.000Z")]
    [InlineData("2026-13-24T08:00:00.000Z")]
    public void AnImpossibleDateTimeIsUnreadable(string text) =>
        Assert.False(ExchangeTimestamp.TryRead(text, out _));

    /// <summary>The span splitter reads records as <see cref="ExchangeGrammar.Record"/> does, on the sample, the corpora and damaged copies.</summary>
    [CorpusFact]
    public void TheSplitterReadsAsTheGrammarDoes()
    {
        var lines = Directory.EnumerateFiles(SampleFiles.PathOf("exchange/edge1")).SelectMany(File.ReadLines)
            .Concat(Corpora.Lines("kinesis-agent-windows/MSGTRK_sample_extracted.LOG"))
            .Concat(Corpora.Lines("crowdsec-hub/exchange-smtp-bf/exchange-smtp-bf.log"))
            .Concat(["a,\"b,c\",d", "\"x\"\"y\",z", "\"open,never", "\"closed\"x,y", ",,", "\"\"", "\"a\"\"\""]).ToList();
        var random = new Random(3);
        var split = new List<string>();
        var compared = 0;
        foreach (var line in lines.Concat(Enumerable.Range(0, 5000).Select(_ => LineDamage.Mutate(lines[random.Next(lines.Count)], random))))
        {
            var grammar = ExchangeGrammar.Record.TryParse(line);
            Assert.True(grammar.WasSuccessful == ExchangeCsv.TrySplit(line, split), line);
            if (grammar.WasSuccessful)
            {
                Assert.Equal(grammar.Value, split);
                compared++;
            }
        }

        Assert.True(compared > 1000, $"{compared} records compared");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void RandomlyDamagedLinesNeverThrowAndGiveWellFormedResults(int seed)
    {
        var lines = Directory.EnumerateFiles(SampleFiles.PathOf("exchange/edge1")).Order(StringComparer.Ordinal).SelectMany(File.ReadLines).ToArray();
        var parser = new ExchangeParser();
        var origin = new LineOrigin("mutated.log", "edge1", TimestampContext.Utc(2026));
        foreach (var line in lines.Take(5))
        {
            // The header first, so that damaged records are read by their columns.
            parser.Parse(line, origin, 0);
        }

        DamagedLines.AreHandled(parser, lines, origin, seed);
    }
}
