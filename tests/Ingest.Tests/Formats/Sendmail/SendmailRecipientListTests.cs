using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Sendmail;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Ingest.Tests.Formats.Sendmail;

/// <summary>
/// Sendmail logs one <c>to=</c> line for all the recipients one mailer took at once (<c>to=&lt;a@x&gt;,&lt;b@x&gt;</c>,
/// comma-joined without spaces, as its deliver.c builds the list). Lines written for these tests in that wording:
/// each recipient is an event of its own, all of the same line.
/// </summary>
public sealed class SendmailRecipientListTests : IDisposable
{
    private static readonly LineOrigin Origin = new("maillog", null, TimestampContext.Utc(2026));

    private const string Accepted = "Nov 24 10:00:01 mx4 sm-mta[77]: 4AOA0001000077: from=<news@lists.example>, size=5120, class=0, nrcpts=3, msgid=<n1@lists.example>, proto=ESMTP, daemon=MTA, relay=out7.lists.example [198.51.100.70]";

    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-sendmail-rcpts-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void ADeliveryToSeveralRecipientsIsOneEventEachOfTheSameLine()
    {
        var parser = new SendmailParser();
        parser.Parse(Accepted, Origin, 1);

        var result = parser.Parse("Nov 24 10:00:02 mx4 sm-mta[78]: 4AOA0001000077: to=<alice@ours.example>,<bob@ours.example>,<carol@ours.example>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=125120, relay=domino1.ours.example. [10.20.0.5], dsn=2.0.0, stat=Sent (Message accepted for delivery)", Origin, 2);

        Assert.Equal((LineOutcome.Event, "sendmail.sent"), (result.Outcome, result.Kind));
        Assert.Equal(["alice@ours.example", "bob@ours.example", "carol@ours.example"], result.Events.Select(e => e.RcptTo));
        Assert.Equal(2, result.More.Count);
        Assert.All(result.Events, e => Assert.Equal(
            ("delivery", 2UL, "198.51.100.70", "news@lists.example", "n1@lists.example", "domino1.ours.example. [10.20.0.5]", "2.0.0", "4AOA0001000077"),
            (e.Event, e.Line, e.ClientIp, e.MailFrom, e.MessageId, e.NextHop, e.Dsn, e.QueueId)));
    }

    [Theory]
    [InlineData("stat=Deferred: Connection timed out with mx.far.example", "defer", "sendmail.deferred", "dsn=4.0.0")]
    [InlineData("stat=User unknown", "bounce", "sendmail.bounced", "dsn=5.1.1")]
    public void ADeferralOrBounceOfSeveralRecipientsIsOneEventEach(string stat, string eventName, string kind, string dsn)
    {
        var parser = new SendmailParser();
        parser.Parse(Accepted, Origin, 1);

        var result = parser.Parse($"Nov 24 10:00:02 mx4 sm-mta[78]: 4AOA0001000077: to=<x@far.example>,<y@far.example>, delay=00:00:05, xdelay=00:00:05, mailer=esmtp, pri=125120, relay=mx.far.example., {dsn}, {stat}", Origin, 2);

        Assert.Equal(kind, result.Kind);
        Assert.Equal([("x@far.example", eventName), ("y@far.example", eventName)], result.Events.Select(e => (e.RcptTo, e.Event)));
        Assert.Single(result.Events.Select(e => (e.Reason, e.Detail, e.SmtpCode)).Distinct());
    }

    [Fact]
    public void OneRecipientIsOneEventWithNothingMore()
    {
        var parser = new SendmailParser();

        var result = parser.Parse("Nov 24 10:00:02 mx4 sm-mta[78]: 4AOA0001000077: to=<alice@ours.example>, delay=00:00:01, mailer=esmtp, pri=125120, relay=domino1.ours.example. [10.20.0.5], dsn=2.0.0, stat=Sent (ok)", Origin, 2);

        Assert.Equal("alice@ours.example", result.Event!.RcptTo);
        Assert.Empty(result.More);
        Assert.Single(result.Events);
    }

    /// <summary>
    /// The client chooses the recipients: hundreds of them, empty entries, quoted local parts holding commas, brackets
    /// and a whole forged <c>, stat=…</c>. Every real recipient is one event; no entry is split inside its quotes or
    /// brackets, none is empty, and the line's own <c>stat=</c> decides what happened.
    /// </summary>
    [Fact]
    public void AHostileRecipientListIsReadAddressByAddress()
    {
        var parser = new SendmailParser();
        var many = string.Join(",", Enumerable.Range(0, 400).Select(i => $"<u{i}@ours.example>"));
        var list = $"<\"smith, john\"@ours.example>,,<\"x>, stat=Sent (forged), y\"@ours.example>, ,{many},<>,\"bare, quoted\"@ours.example,";

        var result = parser.Parse($"Nov 24 10:00:02 mx4 sm-mta[78]: 4AOA0001000077: to={list}, delay=00:00:09, mailer=esmtp, pri=125120, relay=domino1.ours.example. [10.20.0.5], dsn=4.0.0, stat=Deferred: 421 4.3.2 busy", Origin, 2);

        var recipients = result.Events.Select(e => e.RcptTo).ToList();
        Assert.Equal(403, recipients.Count);
        Assert.Equal("\"smith, john\"@ours.example", recipients[0]);
        Assert.Equal("\"x>, stat=Sent (forged), y\"@ours.example", recipients[1]);
        Assert.Equal("u399@ours.example", recipients[401]);
        Assert.Equal("\"bare, quoted\"@ours.example", recipients[402]);
        Assert.All(result.Events, e => Assert.Equal(("defer", 2UL, "Deferred: 421 4.3.2 busy"), (e.Event, e.Line, e.Detail)));
        Assert.DoesNotContain(recipients, r => r.Length == 0);
    }

    [Theory]
    [InlineData("<a@x.example>,<b@x.example>", ',', new[] { "a@x.example", "b@x.example" })]
    [InlineData(" <a@x.example> , , <b@x.example>,", ',', new[] { "a@x.example", "b@x.example" })]
    [InlineData("<\"a,b\"@x.example>,<c@x.example>", ',', new[] { "\"a,b\"@x.example", "c@x.example" })]
    [InlineData("a@x.example;b@x.example", ';', new[] { "a@x.example", "b@x.example" })]
    [InlineData("\"a;b\"@x.example;c@x.example", ';', new[] { "\"a;b\"@x.example", "c@x.example" })]
    [InlineData("<unclosed@x.example,b@x.example", ',', new[] { "<unclosed@x.example", "b@x.example" })]
    [InlineData("", ',', new string[0])]
    [InlineData("<>", ',', new string[0])]
    public void ARecipientListSplitsOnlyWhereTheMtaSeparated(string text, char separator, string[] expected) =>
        Assert.Equal(expected, Envelope.List(text, separator));

    /// <summary>
    /// Exactly once: a file of multi-recipient lines ingested a line per batch, then again from its checkpoints, stores
    /// each recipient once, every row with its line; the lines are counted once each.
    /// </summary>
    [Fact]
    public async Task EveryRecipientOfALineIsStoredOnceAcrossBatchCutsAndReruns()
    {
        var path = Path.Combine(directory, "mx4", "maillog");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllLinesAsync(path,
        [
            Accepted,
            "Nov 24 10:00:02 mx4 sm-mta[78]: 4AOA0001000077: to=<alice@ours.example>,<bob@ours.example>, delay=00:00:01, mailer=esmtp, pri=125120, relay=domino1.ours.example. [10.20.0.5], dsn=2.0.0, stat=Sent (ok)",
            "Nov 24 10:00:02 mx4 sm-mta[78]: 4AOA0001000077: to=<carol@ours.example>, delay=00:00:01, mailer=esmtp, pri=125120, relay=domino1.ours.example. [10.20.0.5], dsn=5.1.1, stat=User unknown",
            "Nov 24 10:00:03 mx4 sm-mta[79]: 4AOA0002000079: from=<n@lists.example>, size=100, class=0, nrcpts=3, msgid=<n2@lists.example>, proto=ESMTP, daemon=MTA, relay=out7.lists.example [198.51.100.70]",
            "Nov 24 10:00:04 mx4 sm-mta[80]: 4AOA0002000079: to=<d@ours.example>,<e@ours.example>,<f@ours.example>, delay=00:00:01, mailer=esmtp, pri=120100, relay=domino1.ours.example. [10.20.0.5], dsn=2.0.0, stat=Sent (ok)",
        ]);
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        var options = new IngestOptions { Year = 2026, BatchLines = 1 };

        var first = await new IngestRunner(store, options, TimeProvider.System, NullLogger.Instance).IngestAsync([path], CancellationToken.None);
        await new IngestRunner(store, options, TimeProvider.System, NullLogger.Instance).IngestAsync([path], CancellationToken.None);

        Assert.Equal((5L, 5L), (first.Sum(s => s.Counts.Lines), first.Sum(s => s.Counts.Events)));
        Assert.Equal(
            "[(2,'alice@ours.example'),(2,'bob@ours.example'),(3,'carol@ours.example'),(5,'d@ours.example'),(5,'e@ours.example'),(5,'f@ours.example')]",
            await store.QueryScalarAsync("SELECT groupArray((line, rcpt_to)) FROM (SELECT line, rcpt_to FROM smtp_events WHERE event IN ('delivery', 'bounce') ORDER BY line, rcpt_to)", CancellationToken.None));
        Assert.Equal("8", await store.QueryScalarAsync("SELECT count() FROM smtp_events", CancellationToken.None));
    }
}
