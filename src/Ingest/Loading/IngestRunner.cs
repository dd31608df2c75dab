using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Sources;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Store;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// Reads log files into <c>smtp_events</c>, exactly once: each file resumes from its checkpoint,
/// batches carry deduplication tokens, and a batch interrupted by a crash is re-sent exactly.
/// Bad lines never stop a file: they are counted, and a sample is kept in <c>ingest_errors</c>.
/// </summary>
public sealed class IngestRunner
{
    private const int ProgressEveryLines = 50_000;
    private const int MaxSampleChars = 2048;

    private readonly IClickHouseStore store;
    private readonly IngestOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CheckpointStore checkpoints;

    /// <summary>One parser per format for the whole run, so correlation carries across rotated files.</summary>
    private readonly Dictionary<LogFormat, ILogParser> parsers = [];

    public IngestRunner(IClickHouseStore store, IngestOptions options, TimeProvider time, ILogger logger)
    {
        options.Validate();
        this.store = store;
        this.options = options;
        this.time = time;
        this.logger = logger;
        checkpoints = new CheckpointStore(store, time);
    }

    /// <summary>Reports progress about every 50,000 lines.</summary>
    public IProgress<IngestProgress>? Progress { get; init; }

    /// <summary>Ingests the files the paths name (see <see cref="LogFiles.Expand"/>), in order.</summary>
    /// <exception cref="FileNotFoundException">A path names nothing.</exception>
    public async Task<IReadOnlyList<FileSummary>> IngestAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var files = LogFiles.Expand(paths);
        var stopwatch = Stopwatch.StartNew();
        var summaries = new List<FileSummary>();
        var writer = new BatchWriter(store, checkpoints, logger, cancellationToken);
        await using (writer.ConfigureAwait(false))
        {
            long lines = 0, unrecognised = 0;
            for (var i = 0; i < files.Count; i++)
            {
                var progress = new Action<long, long>((l, u) => Progress?.Report(new IngestProgress(i, files.Count, files[i], lines + l, unrecognised + u, stopwatch.Elapsed)));
                var summary = await IngestFileAsync(files[i], writer, progress, cancellationToken).ConfigureAwait(false);
                summaries.Add(summary);
                lines += summary.Counts.Lines;
                unrecognised += summary.Counts.Unrecognised;
            }

            await writer.CompleteAsync().ConfigureAwait(false);
            Progress?.Report(new IngestProgress(files.Count, files.Count, string.Empty, lines, unrecognised, stopwatch.Elapsed));
        }

        return summaries;
    }

    /// <summary>
    /// Ingests a stream that cannot be re-read (standard input). Its batches are named afresh on
    /// every run, so sending the same lines twice stores them twice.
    /// </summary>
    public async Task<FileSummary> IngestStreamAsync(Stream input, string name, CancellationToken cancellationToken)
    {
        var writer = new BatchWriter(store, checkpoints, logger, cancellationToken);
        await using (writer.ConfigureAwait(false))
        {
            using var reader = new LineReader(input);
            var context = new TimestampContext(options.Year ?? time.GetUtcNow().Year, options.Year is null ? time.GetUtcNow().Month : 12, options.TimeZone);
            var summary = await ReadAsync(reader, name, "stdin-" + Guid.NewGuid().ToString("N"), null, context, writer, (_, _) => { }, cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
            return summary;
        }
    }

    private async Task<FileSummary> IngestFileAsync(string path, BatchWriter writer, Action<long, long> progress, CancellationToken cancellationToken)
    {
        var fileKey = LogFiles.Fingerprint(path);
        if (fileKey is null)
        {
            return new FileSummary(path, string.Empty, FileCounts.Zero, null);
        }

        var checkpoint = await checkpoints.ReadAsync(fileKey, cancellationToken).ConfigureAwait(false);
        var start = checkpoint is null ? 0 : checkpoint.IsPending ? checkpoint.BatchStart : checkpoint.Offset;
        var startLine = checkpoint is null ? 0 : checkpoint.IsPending ? checkpoint.BatchStartLine : checkpoint.Line;
        var stream = LogFiles.Open(path);
        await using (stream.ConfigureAwait(false))
        {
            if (stream is FileStream file)
            {
                if (file.Length < start)
                {
                    Log.FileTruncated(logger, path, start);
                    checkpoint = null;
                    (start, startLine) = (0, 0);
                }

                file.Seek(start, SeekOrigin.Begin);
            }
            else
            {
                await SkipAsync(stream, start, cancellationToken).ConfigureAwait(false);
            }

            var written = File.GetLastWriteTimeUtc(path);
            var context = new TimestampContext(options.Year ?? written.Year, options.Year is null ? written.Month : 12, options.TimeZone);
            if (start > 0 && (options.Format ?? LogFormats.Parse(checkpoint!.Format)) is { } format)
            {
                Log.Resuming(logger, path, start, startLine);
                WarmUp(path, start, ParserFor(format), new LineOrigin(path, options.Relay, context));
            }

            using var reader = new LineReader(stream, start, startLine);
            return await ReadAsync(reader, path, fileKey, checkpoint, context, writer, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<FileSummary> ReadAsync(
        LineReader reader,
        string path,
        string fileKey,
        FileCheckpoint? checkpoint,
        TimestampContext context,
        BatchWriter writer,
        Action<long, long> progress,
        CancellationToken cancellationToken)
    {
        // Detection reads ahead; the lines it saw are parsed first.
        var lookahead = new List<LogLine>();
        string? problem = null;
        try
        {
            while (lookahead.Count < LogFormats.DetectionLines && reader.TryReadLine(out var line))
            {
                lookahead.Add(line);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            problem = CutShort(path, e);
        }

        var format = options.Format
            ?? (checkpoint is not null ? LogFormats.Parse(checkpoint.Format) : null)
            ?? LogFormats.Detect(lookahead.Select(l => l.Text));
        if (format is null)
        {
            return new FileSummary(path, string.Empty, FileCounts.Zero,
                $"the format of {path} was not recognised from its first lines; name it with --format ({string.Join(", ", LogFormats.Names)})");
        }

        var formatName = LogFormats.NameOf(format.Value);
        var parser = ParserFor(format.Value);
        var origin = new LineOrigin(path, options.Relay, context);
        var resendUntil = checkpoint is { IsPending: true } ? checkpoint.Offset : (long?)null;
        var total = checkpoint?.Counts ?? FileCounts.Zero;
        var version = checkpoint?.Version ?? 0;
        var batchStart = checkpoint is null ? 0 : checkpoint.IsPending ? checkpoint.BatchStart : checkpoint.Offset;
        var batchStartLine = checkpoint is null ? 0 : checkpoint.IsPending ? checkpoint.BatchStartLine : checkpoint.Line;
        var run = FileCounts.Zero;
        var expiredBefore = options.RetentionDays is { } days ? time.GetUtcNow().AddDays(-days) : DateTimeOffset.MinValue;

        var rows = writer.RentRows();
        var rowCount = 0;
        var batch = FileCounts.Zero;
        var errors = new List<ErrorSample>();
        var samplesLeft = options.ErrorSamplesPerFile;
        long batchLines = 0, lastOffset = batchStart, lastLine = batchStartLine;

        async Task FlushAsync()
        {
            version += 2;
            total += batch;
            run += batch;
            var done = new FileCheckpoint(fileKey, path, formatName, FileCheckpoint.Committed, batchStart, batchStartLine, lastOffset, lastLine, total, version);
            await writer.WriteAsync(new EventBatch(done, batch, rows, rowCount, errors), cancellationToken).ConfigureAwait(false);
            (batchStart, batchStartLine) = (lastOffset, lastLine);
            rows = writer.RentRows();
            (rowCount, batchLines, batch, errors) = (0, 0, FileCounts.Zero, []);
            resendUntil = null;
        }

        var index = 0;
        while (true)
        {
            LogLine line;
            if (index < lookahead.Count)
            {
                line = lookahead[index++];
            }
            else
            {
                try
                {
                    if (!reader.TryReadLine(out line))
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    problem = CutShort(path, e);
                    break;
                }
            }

            var result = parser.Parse(line.Text, origin, line.Number);
            batch = result.Outcome switch
            {
                LineOutcome.Event => batch with { Events = batch.Events + 1 },
                LineOutcome.Skipped => batch with { Skipped = batch.Skipped + 1 },
                _ => batch with { Unrecognised = batch.Unrecognised + 1 },
            };
            if (result.Outcome == LineOutcome.Event)
            {
                if (result.Event!.Timestamp < expiredBefore)
                {
                    batch = batch with { Expired = batch.Expired + 1 };
                }
                else
                {
                    SmtpEventEncoder.Write(rows, result.Event);
                    rowCount++;
                }
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
            batchLines++;
            var atResendBoundary = resendUntil == lastOffset;
            if (atResendBoundary || (resendUntil is null && batchLines >= options.BatchLines))
            {
                await FlushAsync().ConfigureAwait(false);
            }

            if ((run.Lines + batchLines) % ProgressEveryLines == 0)
            {
                progress(run.Lines + batchLines, run.Unrecognised + batch.Unrecognised);
            }
        }

        if (batchLines > 0)
        {
            await FlushAsync().ConfigureAwait(false);
        }

        return new FileSummary(path, formatName, run, problem);
    }

    private ILogParser ParserFor(LogFormat format)
    {
        if (!parsers.TryGetValue(format, out var parser))
        {
            parser = LogFormats.CreateParser(format);
            parsers[format] = parser;
        }

        return parser;
    }

    /// <summary>
    /// Before resuming a file part way, replays its lines up to the checkpoint through the parser,
    /// storing nothing, so that sessions and messages begun before the checkpoint are correlated
    /// exactly as in an uninterrupted run.
    /// </summary>
    private static void WarmUp(string path, long until, ILogParser parser, LineOrigin origin)
    {
        using var stream = LogFiles.Open(path);
        using var reader = new LineReader(stream);
        try
        {
            while (reader.TryReadLine(out var line) && line.EndOffset <= until)
            {
                parser.Parse(line.Text, origin, line.Number);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // The main read reports the damage; the warm-up just stops where it is.
        }
    }

    private string CutShort(string path, Exception e)
    {
        Log.FileCutShort(logger, path, e.Message);
        return $"{path} is damaged or cut short ({e.Message.TrimEnd('.')}); the lines before the damage were read";
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

    private static async Task SkipAsync(Stream stream, long bytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (bytes > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            bytes -= read;
        }
    }
}
