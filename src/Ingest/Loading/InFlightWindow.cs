namespace RelayWatch.Ingest.Loading;

/// <summary>
/// The batches a <see cref="BatchWriter"/> has sent and not yet confirmed, oldest first, each with the task
/// that lands it. Batches leave only from the front, so checkpoints commit in the order the lines were read
/// however the inserts finish; and the pending checkpoint of a batch entering names every batch of its file
/// still unconfirmed before it, so that a crash at any moment leaves a checkpoint a resumed run re-sends
/// them all from, each cut where it was cut before.
/// </summary>
internal sealed class InFlightWindow(int capacity)
{
    private readonly Queue<(EventBatch Batch, Task Landing)> sent = new();

    public bool IsEmpty => sent.Count == 0;

    public bool IsFull => sent.Count >= capacity;

    /// <summary>The oldest batch's landing (its rows and error samples in the store). Only when not empty.</summary>
    public Task OldestLanding => sent.Peek().Landing;

    /// <summary>
    /// The checkpoint that holds while <paramref name="batch"/> is in flight: pending, from the start of the
    /// oldest unconfirmed batch of its file (this one, if no other) to this one's end, with the counts before it.
    /// </summary>
    public FileCheckpoint PendingFor(EventBatch batch)
    {
        var done = batch.Checkpoint;
        var earlier = sent.Select(s => s.Batch).Where(b => b.Checkpoint.FileKey == done.FileKey).ToList();
        var oldest = earlier.Count > 0 ? earlier[0] : batch;
        return done with
        {
            State = FileCheckpoint.Pending,
            BatchStart = oldest.Checkpoint.BatchStart,
            BatchStartLine = oldest.Checkpoint.BatchStartLine,
            Counts = oldest.Checkpoint.Counts - oldest.BatchCounts,
            Version = done.Version - 1,
            EarlierEnds = [.. earlier.Select(b => b.Checkpoint.Offset)],
        };
    }

    public void Add(EventBatch batch, Task landing)
    {
        if (IsFull)
        {
            throw new InvalidOperationException("The in-flight window is full: confirm the oldest batch first.");
        }

        sent.Enqueue((batch, landing));
    }

    /// <summary>Takes the oldest batch off the window once it has landed; throws what its landing threw.</summary>
    public async Task<EventBatch> TakeOldestAsync()
    {
        var (batch, landing) = sent.Peek();
        await landing.ConfigureAwait(false);
        sent.Dequeue();
        return batch;
    }

    /// <summary>Waits for every batch still in flight to land or fail (after a failure, so none outlives the writer).</summary>
    public async Task SettleAsync()
    {
        foreach (var (_, landing) in sent)
        {
            try
            {
                await landing.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The first failure is the one reported; the others are its consequences or moot.
            }
        }

        sent.Clear();
    }
}
