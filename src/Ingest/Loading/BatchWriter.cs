using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RelayWatch.Store;
using RelayWatch.Store.Formats;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// The one writer between parsing and the store: a bounded channel of batches, committed in order
/// on a task of its own so that parsing the next batch overlaps inserting this one. Each commit is
/// pending checkpoint → rows (with the batch's deduplication token) → error samples → committed
/// checkpoint, so a crash anywhere leaves either the old checkpoint or a pending one that the next
/// run re-sends exactly. Retries and back-off for an unreachable store live here and nowhere else.
/// <para>
/// Batches are committed one at a time. Two inserts in flight would use both cores (bench/README.md:
/// two concurrent inserts pass the engine's own rate), but then a crash can leave two batches
/// unconfirmed: the pending checkpoint would have to record the start of the oldest in-flight batch
/// and every boundary after it, so that the next run re-sends each batch exactly, with its token.
/// </para>
/// </summary>
internal sealed class BatchWriter : IAsyncDisposable
{
    private const int Capacity = 2;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15)];

    private readonly IClickHouseStore store;
    private readonly CheckpointStore checkpoints;
    private readonly ILogger logger;
    private readonly Channel<EventBatch> channel = Channel.CreateBounded<EventBatch>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly ConcurrentBag<RowBinaryWriter> writers = [];
    private readonly Task consumer;
    private readonly Action<FileCheckpoint>? rowsLanded;

    /// <param name="rowsLanded">
    /// Called with a batch's checkpoint after its rows landed and before the checkpoint commits, the worst
    /// moment to die: the exactly-once tests kill the process there. Null in production.
    /// </param>
    public BatchWriter(IClickHouseStore store, CheckpointStore checkpoints, ILogger logger, CancellationToken cancellationToken, Action<FileCheckpoint>? rowsLanded = null)
    {
        this.store = store;
        this.checkpoints = checkpoints;
        this.logger = logger;
        this.rowsLanded = rowsLanded;
        consumer = Task.Run(() => ConsumeAsync(cancellationToken), cancellationToken);
    }

    /// <summary>Raised after each batch has landed, with its checkpoint.</summary>
    public event Action<FileCheckpoint>? Committed;

    /// <summary>A buffer for the next batch's rows, reused once a batch has landed.</summary>
    public RowBinaryWriter RentRows()
    {
        if (writers.TryTake(out var writer))
        {
            writer.Clear();
            return writer;
        }

        return new RowBinaryWriter(8 << 20);
    }

    /// <summary>Queues a batch; waits while the store is behind. Throws the writer's failure, if it failed.</summary>
    public async Task WriteAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await channel.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await consumer.ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until every queued batch has landed.</summary>
    public async Task CompleteAsync()
    {
        channel.Writer.TryComplete();
        await consumer.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        channel.Writer.TryComplete();
        try
        {
            await consumer.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ClickHouseException or StoreUnavailableException)
        {
            // Already surfaced to the producer through WriteAsync or CompleteAsync.
        }
    }

    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await CommitWithRetriesAsync(batch, cancellationToken).ConfigureAwait(false);
                writers.Add(batch.Rows);
                Committed?.Invoke(batch.Checkpoint);
            }
        }
        catch (Exception e)
        {
            channel.Writer.TryComplete(e);
            throw;
        }
    }

    private async Task CommitWithRetriesAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await CommitAsync(batch, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StoreUnavailableException e) when (attempt < RetryDelays.Length)
            {
                Log.RetryingBatch(logger, batch.Checkpoint.Path, RetryDelays[attempt].TotalSeconds, e.Message);
                await Task.Delay(RetryDelays[attempt], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        var done = batch.Checkpoint;
        var token = done.Token;
        await checkpoints.WriteAsync(done with { State = FileCheckpoint.Pending, Counts = done.Counts - batch.BatchCounts, Version = done.Version - 1 }, cancellationToken).ConfigureAwait(false);
        if (batch.RowCount > 0)
        {
            var insert = new BulkInsert("smtp_events", SmtpEventEncoder.Columns) { Settings = new Dictionary<string, string> { ["insert_deduplication_token"] = token } };
            await store.InsertAsync(insert, (stream, cancel) => stream.WriteAsync(batch.Rows.WrittenMemory, cancel).AsTask(), cancellationToken).ConfigureAwait(false);
        }

        rowsLanded?.Invoke(done);

        if (batch.Errors.Count > 0)
        {
            await checkpoints.WriteErrorsAsync(done.Path, done.Format, batch.Errors, token + ":errors", cancellationToken).ConfigureAwait(false);
        }

        await checkpoints.WriteAsync(done, cancellationToken).ConfigureAwait(false);
    }
}
