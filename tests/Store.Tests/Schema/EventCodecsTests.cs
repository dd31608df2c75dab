using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Store.Schema;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Schema;

/// <summary>Migration 12 gives the events' heavy columns their codecs and keeps the rows already stored.</summary>
public sealed class EventCodecsTests
{
    private const int CodecsVersion = 12;

    private const string Rows =
        "SELECT ts, line, size, session_id, message_id, queue_id, mail_from, rcpt_to, detail, client_host, client_ip FROM smtp_events ORDER BY line";

    [Fact]
    public async Task EventsStoredBeforeTheCodecsAreKeptAndNewPartsUseThem()
    {
        await using var store = await TestEngine.OpenWithoutMigratingAsync();
        Assert.Equal("event_codecs", Migration.All.Single(m => m.Version == CodecsVersion).Name);
        foreach (var statement in Migration.All.Where(m => m.Version < CodecsVersion).SelectMany(m => m.Statements))
        {
            await store.ExecuteAsync(statement, CancellationToken.None);
        }

        await store.ExecuteAsync(
            """
            INSERT INTO smtp_events (ts, relay, source, event, client_ip, client_host, mail_from, rcpt_to, queue_id, session_id, message_id, size, detail, file, line)
            SELECT toDateTime64('2026-11-24 00:00:00', 3, 'UTC') + number * 7, 'mx1', 'postfix', 'rcpt', toIPv6(IPv4NumToString(toUInt32(3221225984 + number % 50))),
                   'host' || toString(number % 50) || '.example.net', 'sender' || toString(number) || '@example.net', 'user' || toString(number % 9) || '@ours.example',
                   hex(cityHash64(number)), 'mx1/' || toString(1000 + intDiv(number, 5)), '<' || hex(cityHash64(number + 1)) || '@example.net>', number * 13,
                   'to=<user@ours.example>, status=sent', '/var/log/mail.log', number + 1
            FROM numbers(5000)
            """,
            CancellationToken.None);
        var before = await store.QueryListAsync(Rows, null, CancellationToken.None);

        var applied = await new SchemaMigrator(store, TestEngine.Options(store.Info.Database), NullLogger.Instance).MigrateAsync(CancellationToken.None);
        await store.ExecuteAsync("OPTIMIZE TABLE smtp_events FINAL", CancellationToken.None);
        var after = await store.QueryListAsync(Rows, null, CancellationToken.None);
        var codecs = (await store.QueryListAsync(
            "SELECT name, compression_codec FROM system.columns WHERE database = currentDatabase() AND table = 'smtp_events' AND compression_codec != ''",
            null, CancellationToken.None)).ToDictionary(r => r[0], r => r[1]);

        Assert.Contains(CodecsVersion, applied);
        Assert.Equal(5000, before.Count);
        Assert.Equal(before, after);
        Assert.Equal("CODEC(Delta(8), ZSTD(1))", codecs["ts"]);
        Assert.Equal("CODEC(Delta(8), ZSTD(1))", codecs["line"]);
        Assert.Equal("CODEC(T64, ZSTD(1))", codecs["size"]);
        Assert.All(new[] { "session_id", "message_id", "queue_id", "mail_from", "rcpt_to", "detail", "client_host" }, c => Assert.Equal("CODEC(ZSTD(3))", codecs[c]));
        // A codec is metadata: no mutation rewrote the stored parts (the retention TTL the store sets is one of its own).
        Assert.Equal("0", await store.QueryScalarAsync(
            "SELECT count() FROM system.mutations WHERE database = currentDatabase() AND table = 'smtp_events' AND command NOT LIKE '%MATERIALIZE TTL%'", CancellationToken.None));
    }
}
