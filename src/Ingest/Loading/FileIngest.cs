using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Sources;
using RelayWatch.Store.Formats;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// The ingest of one file in progress: parses its lines one by one into the current batch and
/// hands full batches, with the checkpoint that follows them, to the <see cref="BatchWriter"/>.
/// Batches are cut every <see cref="IngestOptions.BatchLines"/> lines, on demand (a followed file
/// gone quiet), and exactly where each batch an interrupted run left in flight ended, so that every
/// re-sent batch carries the deduplication token of its first try.
/// </summary>
internal sealed class FileIngest
{
    private const int MaxSampleChars = 2048;

    private readonly string fileKey;
    private readonly string path;
    private readonly string formatName;
    private readonly ILogParser parser;
    private readonly LineOrigin origin;
    private readonly BatchWriter writer;
    private readonly IngestOptions options;
    private readonly DateTimeOffset expiredBefore;

    private FileCounts total;
    private long version;
    private readonly long generation;
    private long batchStart;
    private long batchStartLine;
    /// <summary>Where the batches an interrupted run left unconfirmed ended, oldest first: this run cuts exactly there.</summary>
    private readonly Queue<long> resendCuts;
    private RowBinaryWriter rows;
    private int rowCount;
    private FileCounts batch = FileCounts.Zero;
    private List<ErrorSample> errors = [];
    private int samplesLeft;
    private long lastOffset;
    private long lastLine;

    public FileIngest(
        string fileKey, string path, LogFormat format, ILogParser parser, LineOrigin origin, FileCheckpoint? checkpoint,
        BatchWriter writer, IngestOptions options, DateTimeOffset expiredBefore)
    {
        this.fileKey = fileKey;
        this.path = path;
        formatName = LogFormats.NameOf(format);
        this.parser = parser;
        this.origin = origin;
        this.writer = writer;
        this.options = options;
        this.expiredBefore = expiredBefore;
        total = checkpoint?.Counts ?? FileCounts.Zero;
        version = checkpoint?.ResumeVersion ?? 0;
        generation = checkpoint?.Generation ?? 0;
        batchStart = checkpoint is null ? 0 : checkpoint.IsPending ? checkpoint.BatchStart : checkpoint.Offset;
        batchStartLine = checkpoint is null ? 0 : checkpoint.IsPending ? checkpoint.BatchStartLine : checkpoint.Line;
        resendCuts = new Queue<long>(checkpoint?.ResendCuts ?? []);
        (lastOffset, lastLine) = (batchStart, batchStartLine);
        rows = writer.RentRows();
        samplesLeft = options.ErrorSamplesPerFile;
    }

    public string FormatName => formatName;

    /// <summary>What this run has read of the file, in batches handed on so far.</summary>
    public FileCounts Run { get; private set; } = FileCounts.Zero;

    /// <summary>The checkpoint of the last batch handed on to the writer in this run (committed behind it); null before the first.</summary>
    public FileCheckpoint? HandedOn { get; private set; }

    /// <summary>Lines read into the batch not yet handed on.</summary>
    public long PendingLines => batch.Lines;

    /// <summary>Everything read so far, handed on or not (for progress).</summary>
    public FileCounts Read => Run + batch;

    public async Task AcceptAsync(LogLine line, CancellationToken cancellationToken)
    {
        var result = parser.Parse(line.Text, origin, line.Number);
        batch = result.Outcome switch
        {
            LineOutcome.Event => batch with { Events = batch.Events + 1 },
            LineOutcome.Skipped => batch with { Skipped = batch.Skipped + 1 },
            _ => batch with { Unrecognised = batch.Unrecognised + 1 },
        };
        if (result.Event is { } parsed)
        {
            Store(parsed);
        }

        // A line that names several recipients at once is one event each; all go in this batch, with their line.
        var more = result.More;
        for (var i = 0; i < more.Count; i++)
        {
            Store(more[i]);
        }

        foreach (var released in parser.TakeReleased())
        {
            Store(released);
        }

        var reason = result.Outcome == LineOutcome.Unrecognised ? result.Kind : null;
        if (line.Problem != LineProblem.None)
        {
            batch = batch with { Repaired = batch.Repaired + 1 };
            reason = reason is null ? Describe(line.Problem) : $"{reason}; {Describe(line.Problem)}";
        }

        if (reason is not null && samplesLeft > 0)
        {
            samplesLeft--;
            errors.Add(new ErrorSample(line.Number, reason, line.Text.Length > MaxSampleChars ? line.Text[..MaxSampleChars] : line.Text));
        }

        (lastOffset, lastLine) = (line.EndOffset, line.Number);
        if (resendCuts.TryPeek(out var cut) ? lastOffset >= cut : batch.Lines >= options.BatchLines)
        {
            await FlushAsync(final: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Hands the current batch on, if it has any lines. While re-sending an interrupted batch, only
    /// its exact end may cut it, unless <paramref name="final"/> says the file has ended before it.
    /// (A file rewritten under its checkpoint may have no line end there: the first line past it cuts.)
    /// </summary>
    public async Task FlushAsync(bool final, CancellationToken cancellationToken)
    {
        if (batch.Lines == 0 || (!final && resendCuts.TryPeek(out var end) && lastOffset < end))
        {
            return;
        }

        // Events still waiting for context go with the lines they came from, as far as they are known.
        foreach (var waiting in parser.TakeWaiting(origin.File))
        {
            Store(waiting);
        }

        version += 2;
        total += batch;
        Run += batch;
        var done = new FileCheckpoint(fileKey, path, formatName, FileCheckpoint.Committed, batchStart, batchStartLine, lastOffset, lastLine, total, version) { Generation = generation };
        await writer.WriteAsync(new EventBatch(done, batch, rows, rowCount, errors), cancellationToken).ConfigureAwait(false);
        HandedOn = done;
        (batchStart, batchStartLine) = (lastOffset, lastLine);
        rows = writer.RentRows();
        (rowCount, batch, errors) = (0, FileCounts.Zero, []);
        while (resendCuts.TryPeek(out var passed) && passed <= lastOffset)
        {
            resendCuts.Dequeue();
        }
    }

    private void Store(SmtpEvent smtp)
    {
        if (smtp.Timestamp < expiredBefore)
        {
            batch = batch with { Expired = batch.Expired + 1 };
        }
        else
        {
            SmtpEventEncoder.Write(rows, smtp);
            rowCount++;
        }
    }

    private static string Describe(LineProblem problem)
    {
        var parts = new List<string>(4);
        if (problem.HasFlag(LineProblem.InvalidUtf8))
        {
            parts.Add("invalid UTF-8 replaced");
        }

        if (problem.HasFlag(LineProblem.NulBytes))
        {
            parts.Add("NUL bytes replaced");
        }

        if (problem.HasFlag(LineProblem.TooLong))
        {
            parts.Add("line over 64 KiB cut");
        }

        if (problem.HasFlag(LineProblem.Unterminated))
        {
            parts.Add("no newline at end of file");
        }

        return string.Join(", ", parts);
    }
}
