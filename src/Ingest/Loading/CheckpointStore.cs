using System.Globalization;
using RelayWatch.Store;
using RelayWatch.Store.Formats;

namespace RelayWatch.Ingest.Loading;

/// <summary>Reads and writes <c>ingest_checkpoints</c> and <c>ingest_errors</c>.</summary>
internal sealed class CheckpointStore(IClickHouseStore store, TimeProvider time)
{
    private static readonly string[] CheckpointColumns =
    [
        "file_key", "path", "format", "state", "batch_start", "batch_start_line", "offset", "line",
        "events", "skipped", "unrecognised", "repaired", "version", "generation", "updated_at",
    ];

    private const char StateSeparator = ':';

    private static readonly string[] DropColumns = ["listener", "endpoints", "reason", "dropped", "version", "updated_at"];

    private static readonly string[] ErrorColumns = ["ingested_at", "file", "line", "format", "reason", "text"];

    /// <summary>The file's latest checkpoint, or null when ingest never saw it.</summary>
    public async Task<FileCheckpoint?> ReadAsync(string fileKey, CancellationToken cancellationToken)
    {
        var rows = await store.QueryListAsync(
            """
            SELECT file_key, path, format, state, batch_start, batch_start_line, offset, line, events, skipped, unrecognised, repaired, version, generation
            FROM ingest_checkpoints WHERE file_key = {key:String} ORDER BY version DESC LIMIT 1
            """,
            new Dictionary<string, string> { ["key"] = fileKey },
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        var r = rows[0];
        long N(int i) => long.Parse(r[i], CultureInfo.InvariantCulture);
        var (state, earlierEnds) = ParseState(r[3]);
        return new FileCheckpoint(r[0], r[1], r[2], state, N(4), N(5), N(6), N(7), new FileCounts(N(8), N(9), N(10), N(11)), N(12)) { EarlierEnds = earlierEnds, Generation = N(13) };
    }

    public Task WriteAsync(FileCheckpoint checkpoint, CancellationToken cancellationToken) =>
        store.InsertAsync(new BulkInsert("ingest_checkpoints", CheckpointColumns), async (stream, token) =>
        {
            var writer = new RowBinaryWriter(1024);
            writer.WriteString(checkpoint.FileKey);
            writer.WriteString(checkpoint.Path);
            writer.WriteString(checkpoint.Format);
            writer.WriteString(StateOf(checkpoint));
            writer.WriteUInt64((ulong)checkpoint.BatchStart);
            writer.WriteUInt64((ulong)checkpoint.BatchStartLine);
            writer.WriteUInt64((ulong)checkpoint.Offset);
            writer.WriteUInt64((ulong)checkpoint.Line);
            writer.WriteUInt64((ulong)checkpoint.Counts.Events);
            writer.WriteUInt64((ulong)checkpoint.Counts.Skipped);
            writer.WriteUInt64((ulong)checkpoint.Counts.Unrecognised);
            writer.WriteUInt64((ulong)checkpoint.Counts.Repaired);
            writer.WriteUInt64((ulong)checkpoint.Version);
            writer.WriteUInt32((uint)checkpoint.Generation);
            writer.WriteDateTime64Millis(time.GetUtcNow());
            await stream.WriteAsync(writer.WrittenMemory, token).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// The <c>state</c> column: <c>committed</c>, or <c>pending</c> followed, when several batches were in flight,
    /// by the ends of all but the newest (<c>pending:1048576,2097152</c>). The one row a file keeps (the table
    /// replaces by version) must name every batch that may have landed, and the table has no other place for them.
    /// </summary>
    private static string StateOf(FileCheckpoint checkpoint) =>
        checkpoint.IsPending && checkpoint.EarlierEnds.Count > 0
            ? FileCheckpoint.Pending + StateSeparator + string.Join(',', checkpoint.EarlierEnds.Select(e => e.ToString(CultureInfo.InvariantCulture)))
            : checkpoint.State;

    private static (string State, IReadOnlyList<long> EarlierEnds) ParseState(string text)
    {
        var separator = text.IndexOf(StateSeparator, StringComparison.Ordinal);
        if (separator < 0)
        {
            return (text, []);
        }

        var ends = new List<long>();
        foreach (var end in text[(separator + 1)..].Split(','))
        {
            ends.Add(long.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                ? offset
                : throw new InvalidDataException($"The checkpoint state '{text}' names a batch end that is not a byte offset."));
        }

        return (text[..separator], ends);
    }

    public Task WriteErrorsAsync(string file, string format, IReadOnlyList<ErrorSample> errors, string token, CancellationToken cancellationToken) =>
        store.InsertAsync(
            new BulkInsert("ingest_errors", ErrorColumns) { Settings = new Dictionary<string, string> { ["insert_deduplication_token"] = token } },
            async (stream, cancel) =>
            {
                var writer = new RowBinaryWriter(64 * 1024);
                var now = time.GetUtcNow();
                foreach (var error in errors)
                {
                    writer.WriteDateTime64Millis(now);
                    writer.WriteString(file);
                    writer.WriteUInt64((ulong)error.Line);
                    writer.WriteString(format);
                    writer.WriteString(error.Reason);
                    writer.WriteString(error.Text);
                }

                await stream.WriteAsync(writer.WrittenMemory, cancel).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>Writes a listener run's drops so far, by reason (cumulative; the highest version wins).</summary>
    public Task WriteListenerDropsAsync(string listener, string endpoints, IReadOnlyList<(string Reason, long Count)> drops, long version, CancellationToken cancellationToken) =>
        store.InsertAsync(new BulkInsert("listener_drops", DropColumns), async (stream, token) =>
        {
            var writer = new RowBinaryWriter(1024);
            var now = time.GetUtcNow();
            foreach (var (reason, count) in drops)
            {
                writer.WriteString(listener);
                writer.WriteString(endpoints);
                writer.WriteString(reason);
                writer.WriteUInt64((ulong)count);
                writer.WriteUInt64((ulong)version);
                writer.WriteDateTime64Millis(now);
            }

            await stream.WriteAsync(writer.WrittenMemory, token).ConfigureAwait(false);
        }, cancellationToken);
}
