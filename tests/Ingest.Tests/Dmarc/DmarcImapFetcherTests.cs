using System.Text;
using Microsoft.Extensions.Time.Testing;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Dmarc;

/// <summary>Against a real dovecot started for each test, with parsedmarc's three mailed samples (Apache-2.0) and one broken report of ours.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DmarcImapFetcherTests : IDisposable
{
    private static readonly string[] MailedSamples =
    [
        "Report domain- borschow.com Submitter- google.com Report-ID- 949348866075514174.eml",
        "mimecast-weird-gzip.eml",
        "twilight.eml",
    ];

    private readonly string folder = Path.Combine(Path.GetTempPath(), "relaywatch-dmarc-imap-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));

    public DmarcImapFetcherTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [CorpusFact]
    public async Task TheMailboxIsReadOnceAndTheBrokenReportStaysUnseen()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        await DeliverSamplesAndABrokenReportAsync(dovecot);
        var fetcher = Fetcher(dovecot, store, moveTo: null);

        var first = new DmarcLoadSummary();
        var firstRead = await fetcher.FetchAsync(DovecotServer.Password, first, _ => { }, CancellationToken.None);
        var afterFirst = await dovecot.CountAsync();
        var second = new DmarcLoadSummary();
        var secondRead = await fetcher.FetchAsync(DovecotServer.Password, second, _ => { }, CancellationToken.None);

        Assert.Equal((4, 3, 0), (firstRead, first.Reports, first.Duplicates));
        Assert.Equal(["imap:INBOX/4!broken.xml: refused: it is not well-formed XML (Unexpected end of file has occurred. The following elements are not closed: report_metadata, feedback. Line 1, position 28)"], first.Refusals);
        Assert.Equal((4, 1), afterFirst);
        Assert.Equal((1, 0, 0), (secondRead, second.Reports, second.Duplicates));
        Assert.Equal(first.Refusals, second.Refusals);
        Assert.Equal("3", await store.QueryScalarAsync("SELECT count() FROM dmarc_records", CancellationToken.None));
        Assert.Equal("imap:INBOX/1!google.com!borschow.com!1549929600!1550015999.zip!google.com!borschow.com!1549929600!1550015999.xml",
            await store.QueryScalarAsync("SELECT file FROM dmarc_records WHERE report_id = '949348866075514174'", CancellationToken.None));
    }

    [CorpusFact]
    public async Task StoredMessagesMoveAwayAndAReportMailedAgainIsADuplicate()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var store = await TestEngine.OpenKeepingEverythingAsync();
        await dovecot.CreateMailboxAsync("Processed");
        await DeliverSamplesAndABrokenReportAsync(dovecot);
        var fetcher = Fetcher(dovecot, store, moveTo: "Processed");

        var first = new DmarcLoadSummary();
        await fetcher.FetchAsync(DovecotServer.Password, first, _ => { }, CancellationToken.None);
        var inbox = await dovecot.CountAsync();
        var processed = await dovecot.CountAsync("Processed");
        await dovecot.DeliverAsync(Corpora.PathOf("parsedmarc-samples/aggregate/twilight.eml"));
        var again = new DmarcLoadSummary();
        var lines = new List<string>();
        await fetcher.FetchAsync(DovecotServer.Password, again, lines.Add, CancellationToken.None);

        Assert.Equal(3, first.Reports);
        Assert.Equal((1, 1), inbox);
        Assert.Equal(3, processed.Messages);
        Assert.Equal((0, 1), (again.Reports, again.Duplicates));
        Assert.Contains("imap:INBOX/5: 0 new report(s), 1 already stored; moved to Processed", lines);
        Assert.Equal((1, 1), await dovecot.CountAsync());
        Assert.Equal("3", await store.QueryScalarAsync("SELECT count() FROM dmarc_records", CancellationToken.None));
    }

    [Fact]
    public async Task AWrongPasswordFailsWithTheServersWord()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var store = await TestEngine.OpenAsync();

        var failure = await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(
            () => Fetcher(dovecot, store, moveTo: null).FetchAsync("wrong", new DmarcLoadSummary(), _ => { }, CancellationToken.None));

        Assert.Equal("Authentication failed.", failure.Message);
    }

    private async Task DeliverSamplesAndABrokenReportAsync(DovecotServer dovecot)
    {
        foreach (var sample in MailedSamples)
        {
            await dovecot.DeliverAsync(Corpora.PathOf("parsedmarc-samples/aggregate/" + sample));
        }

        var broken = Path.Combine(folder, "broken.eml");
        await File.WriteAllTextAsync(broken, DmarcReports.Message("broken.xml", "text/xml", Encoding.UTF8.GetBytes("<feedback><report_metadata>")));
        await dovecot.DeliverAsync(broken);
    }

    private DmarcImapFetcher Fetcher(DovecotServer dovecot, IClickHouseStore store, string? moveTo)
    {
        var settings = new DmarcImapSettings { Host = "127.0.0.1", Port = dovecot.Port, Security = "none", User = DovecotServer.User, PasswordFile = "unused", MoveTo = moveTo };
        var limits = new DmarcReadLimits();
        var reader = new DmarcReportReader(limits);
        return new DmarcImapFetcher(settings, reader, new DmarcLoader(reader, new DmarcStore(store, time), new TlsStore(store, time)), limits);
    }
}
