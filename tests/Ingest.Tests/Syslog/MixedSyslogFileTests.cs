using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Ingest.Tests.Syslog;

/// <summary>
/// A file that mixes every syslog variant, as files do after a syslog daemon is changed or reconfigured:
/// ingested as one Postfix log, every line becomes its event, with its time and client. Lines written
/// for this test.
/// </summary>
public sealed class MixedSyslogFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-mixed-syslog-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task EveryLineOfAFileThatMixesTheVariantsIsAnEvent()
    {
        // mx1's folder: the relay of the lines that name no host.
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(directory, "mx1")).FullName, "mail.log");
        string[] lines =
        [
            "Mar  7 02:09:31 mx1 postfix/smtpd[101]: connect from unknown[203.0.113.1]",
            "Mar 7 02:09:32 mx1 postfix/smtpd[102]: connect from unknown[203.0.113.2]",
            "Mar 07 02:09:33 mx1 postfix/smtpd[103]: connect from unknown[203.0.113.3]",
            "Mar  7 02:09:34 <mail.info> mx1 postfix/smtpd[104]: connect from unknown[203.0.113.4]",
            "Mar  7 02:09:35 <22> mx1 postfix/smtpd[105]: connect from unknown[203.0.113.5]",
            "<22>Mar 7 02:09:36 mx1 postfix/smtpd[106]: connect from unknown[203.0.113.6]",
            "Mar  7 02:09:37 postfix/smtpd[107]: connect from unknown[203.0.113.7]",
            "2026-03-07T02:09:38 mx1 postfix/smtpd[108]: connect from unknown[203.0.113.8]",
            "2026-03-07T03:09:39.250+01:00 mx1 postfix/smtpd[109]: connect from unknown[203.0.113.9]",
            "2026-03-07T02:09:40Z mx1 postfix/smtpd[110]: connect from unknown[203.0.113.10]",
            "2026-03-07T03:09:41+0100 mx1 postfix/smtpd[111]: connect from unknown[203.0.113.11]",
            "<22>1 2026-03-07T02:09:42.000Z mx1 postfix/smtpd 112 - - connect from unknown[203.0.113.12]",
            "<22>1 2026-03-07T02:09:43Z - postfix/smtpd 113 - [meta sequenceId=\"7\"] connect from unknown[203.0.113.13]",
        ];
        await File.WriteAllLinesAsync(path, lines);
        File.SetLastWriteTimeUtc(path, new DateTime(2026, 3, 8, 0, 0, 0, DateTimeKind.Utc));
        await using var store = await TestEngine.OpenKeepingEverythingAsync();

        var summary = Assert.Single(await new IngestRunner(store, new IngestOptions(), TimeProvider.System, NullLogger.Instance).IngestAsync([path], CancellationToken.None));
        var rows = await store.QueryListAsync("SELECT client_ip, formatDateTime(ts, '%F %T'), relay FROM smtp_events WHERE event = 'connect' ORDER BY ts", null, CancellationToken.None);

        Assert.Equal("postfix", summary.Format);
        Assert.Equal(new FileCounts(lines.Length, 0, 0, 0), summary.Counts);
        Assert.Equal(
            Enumerable.Range(1, lines.Length).Select(i => $"::ffff:203.0.113.{i} 2026-03-07 02:09:{30 + i:00} mx1"),
            rows.Select(r => string.Join(' ', r)));
    }
}
