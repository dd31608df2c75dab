using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RelayWatch.Store;
using RelayWatch.Store.Formats;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// The one writer between parsing and the store: a bounded channel of batches, sent on a task of its own so
/// that parsing the next batch overlaps inserting this one, with up to <see cref="IngestOptions.InsertsInFlight"/>
/// inserts at once (on an idle 2-core machine two concurrent inserts pass one insert's rate: bench/README.md,
/// <c>store-insert</c>). Each batch goes pending checkpoint →
/// rows (with the batch's deduplication token) → error samples → committed checkpoint; the pending checkpoint
/// names every batch of the file still in flight (<see cref="InFlightWindow"/>), and committed checkpoints are
/// written in file order, so a crash anywhere leaves a checkpoint from which the next run re-sends exactly
/// the batches that may have landed, each with the token of its first try. Retries and back-off for an
/// unreachable store live here and nowhere else.
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
    private readonly InFlightWindow window;
    private readonly BatchWriterSeams seams;
    private readonly Task consumer;

    /// <param name="insertsInFlight">Batches whose inserts may run at once (at least one).</param>
    /// <param name="seams">Moments the exactly-once tests wait or die at; none in production.</param>
    public BatchWriter(IClickHouseStore store, CheckpointStore checkpoints, ILogger logger, int insertsInFlight, CancellationToken cancellationToken, BatchWriterSeams? seams = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(insertsInFlight, 1);
        this.store = store;
        this.checkpoints = checkpoints;
        this.logger = logger;
        window = new InFlightWindow(insertsInFlight);
        this.seams = seams ?? BatchWriterSeams.None;
        consumer = Task.Run(() => ConsumeAsync(cancellationToken), cancellationToken);
    }

    /// <summary>Raised after each batch has landed and its checkpoint committed, in file order, with that checkpoint.</summary>
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

    /// <summary>
    /// Sends batches as they come while the window has room, and confirms the oldest as soon as it has landed
    /// (not only when the window is full, so a followed file's quiet batch commits without waiting for the next).
    /// </summary>
    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var open = true;
            Task<bool>? next = null;
            while (open || !window.IsEmpty)
            {
                if (open && !window.IsFull && channel.Reader.TryRead(out var batch))
                {
                    await SendAsync(batch, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!open || window.IsFull)
                {
                    await ConfirmOldestAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Room in the window and nothing queued: whichever comes first, the next batch or the oldest landing.
                next ??= channel.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (window.IsEmpty || await Task.WhenAny(next, window.OldestLanding).ConfigureAwait(false) == next)
                {
                    open = await next.ConfigureAwait(false);
                    next = null;
                }
                else
                {
                    await ConfirmOldestAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            channel.Writer.TryComplete(e);
            await window.SettleAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes the batch's pending checkpoint, then starts its insert beside those already in flight.</summary>
    private async Task SendAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        var pending = window.PendingFor(batch);
        await WithRetriesAsync(batch, token => checkpoints.WriteAsync(pending, token), cancellationToken).ConfigureAwait(false);
        window.Add(batch, Task.Run(() => LandAsync(batch, cancellationToken), cancellationToken));
    }

    /// <summary>A batch's rows, then its error samples; its checkpoint commits when it is the oldest.</summary>
    private async Task LandAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        var done = batch.Checkpoint;
        await seams.BeforeRowsAsync(done).ConfigureAwait(false);
        if (batch.RowCount > 0)
        {
            var insert = new BulkInsert("smtp_events", SmtpEventEncoder.Columns) { Settings = new Dictionary<string, string> { ["insert_deduplication_token"] = done.Token } };
            await WithRetriesAsync(batch, token => store.InsertAsync(insert, (stream, cancel) => stream.WriteAsync(batch.Rows.WrittenMemory, cancel).AsTask(), token), cancellationToken).ConfigureAwait(false);
        }

        seams.RowsLanded(done);

        if (batch.Errors.Count > 0)
        {
            await WithRetriesAsync(batch, token => checkpoints.WriteErrorsAsync(done.Path, done.Format, batch.Errors, done.Token + ":errors", token), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the oldest batch to land, then commits its checkpoint.</summary>
    private async Task ConfirmOldestAsync(CancellationToken cancellationToken)
    {
        var batch = await window.TakeOldestAsync().ConfigureAwait(false);
        await WithRetriesAsync(batch, token => checkpoints.WriteAsync(batch.Checkpoint, token), cancellationToken).ConfigureAwait(false);
        writers.Add(batch.Rows);
        Committed?.Invoke(batch.Checkpoint);
    }

    /// <summary>
    /// One step of a batch, retried while the store is unreachable. Every step is safe to repeat: rows and
    /// samples carry their tokens, and a checkpoint row written twice is the same row.
    /// </summary>
    private async Task WithRetriesAsync(EventBatch batch, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await step(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StoreUnavailableException e) when (attempt < RetryDelays.Length)
            {
                Log.RetryingBatch(logger, batch.Checkpoint.Path, RetryDelays[attempt].TotalSeconds, e.Message);
                await Task.Delay(RetryDelays[attempt], cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
