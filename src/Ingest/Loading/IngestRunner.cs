using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Sources;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Store;
using RelayWatch.Store.Files;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// Reads log files into <c>smtp_events</c>, exactly once: each file resumes from its checkpoint,
/// batches carry deduplication tokens, and a batch interrupted by a crash is re-sent exactly.
/// Bad lines never stop a file: they are counted, and a sample is kept in <c>ingest_errors</c>.
/// </summary>
public sealed class IngestRunner
{
    private const int ProgressEveryLines = 50_000;

    /// <summary>While following, how many lines are read before checking that the file was not truncated under them.</summary>
    private const int FollowCheckLines = 1_000;

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

    /// <summary>
    /// Seams for the exactly-once tests: moments in each batch's way to the store where they wait or die
    /// (see <see cref="BatchWriter"/>). None in production.
    /// </summary>
    internal BatchWriterSeams? Seams { get; init; }

    /// <summary>Ingests the files the paths name (see <see cref="LogFiles.Expand"/>), in order.</summary>
    /// <exception cref="FileNotFoundException">A path names nothing.</exception>
    public async Task<IReadOnlyList<FileSummary>> IngestAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var files = LogFiles.Expand(paths);
        var stopwatch = Stopwatch.StartNew();
        var summaries = new List<FileSummary>();
        var writer = NewWriter(cancellationToken);
        var handedOn = new Dictionary<string, FileCheckpoint>(StringComparer.Ordinal);
        await using (writer.ConfigureAwait(false))
        {
            using var claims = new ReadClaims(writer, time, logger, options.ClaimFolder);
            long lines = 0, unrecognised = 0;
            for (var i = 0; i < files.Count; i++)
            {
                var progress = new Action<long, long>((l, u) => Progress?.Report(new IngestProgress(i, files.Count, files[i].Path, lines + l, unrecognised + u, stopwatch.Elapsed)));
                var summary = await IngestFileAsync(files[i], writer, claims, handedOn, progress, cancellationToken).ConfigureAwait(false);
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
    /// Follows one log file like <c>tail -F</c> until cancelled: reads what is there, then what is
    /// appended, surviving rotation (the path becomes a new file: the old one is drained first) and
    /// truncation (read again from the start). A batch is cut when it is full or when the file has
    /// been quiet for <paramref name="quietFlush"/>, so events land promptly. Cancelling commits
    /// what was read and returns the summaries of every file followed.
    /// </summary>
    public async Task<IReadOnlyList<FileSummary>> FollowAsync(string path, TimeSpan pollInterval, TimeSpan quietFlush, CancellationToken cancellationToken)
    {
        var summaries = new List<FileSummary>();
        var writer = NewWriter(CancellationToken.None);
        await using (writer.ConfigureAwait(false))
        {
            using var claims = new ReadClaims(writer, time, logger, options.ClaimFolder);
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var summary = await FollowFileAsync(path, writer, claims, pollInterval, quietFlush, cancellationToken).ConfigureAwait(false);
                    if (summary is not null)
                    {
                        summaries.Add(summary);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping is the normal end of following.
            }

            await writer.CompleteAsync().ConfigureAwait(false);
        }

        return summaries;
    }

    /// <summary>Follows the file now at <paramref name="path"/> until it is rotated away, truncated, or following stops.</summary>
    private async Task<FileSummary?> FollowFileAsync(
        string path, BatchWriter writer, ReadClaims claims, TimeSpan pollInterval, TimeSpan quietFlush, CancellationToken cancellationToken)
    {
        // The file is opened once and identified by what that handle reads: the path may be given to
        // another file at any moment. Its first line must be complete, or its key would change as it grows.
        OpenLogFile? log;
        LogFingerprint? fingerprint;
        while ((log = TryOpen(path)) is null || (fingerprint = log.Fingerprint()) is not { Complete: true })
        {
            log?.Dispose();
            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }

        using var file = log;
        var fileKey = fingerprint.Key;
        await claims.ClaimAsync(fileKey, path, following: true, cancellationToken).ConfigureAwait(false);
        FileIngest? ingest = null;
        try
        {
            return await FollowClaimedFileAsync(path, file, fingerprint, writer, pollInterval, quietFlush, cancellationToken, started => ingest = started).ConfigureAwait(false);
        }
        finally
        {
            claims.ReleaseWhenLanded(fileKey, ingest?.HandedOn);
        }
    }

    /// <summary>The body of <see cref="FollowFileAsync"/>, once the file is claimed.</summary>
    private async Task<FileSummary?> FollowClaimedFileAsync(
        string path, OpenLogFile file, LogFingerprint fingerprint, BatchWriter writer, TimeSpan pollInterval, TimeSpan quietFlush,
        CancellationToken cancellationToken, Action<FileIngest> started)
    {
        var fileKey = fingerprint.Key;
        var (checkpoint, start, startLine) = await ResumePointAsync(file, path, fileKey, handedOn: null, CancellationToken.None).ConfigureAwait(false);
        var firstLines = FirstLines(file);
        var format = FormatOf(checkpoint, firstLines) ?? throw new InvalidDataException(UnknownFormat(path));
        var origin = Resume(file, path, format, firstLines, start, startLine);
        using var stream = file.Read();
        await SkipToAsync(stream, start, CancellationToken.None).ConfigureAwait(false);
        using var reader = new LineReader(stream, start, startLine) { Follow = true };
        var ingest = Begin(fileKey, path, format, origin, checkpoint, writer);
        started(ingest);
        var quietSince = time.GetUtcNow();
        var read = new List<LogLine>(FollowCheckLines);
        try
        {
            while (true)
            {
                // Lines are taken only once the file is seen to begin as it did after reading them: truncated
                // in place (copytruncate) and grown again past where we were, it would hand us another file's
                // lines from the middle. Those are left to be read again from the start, under the new key.
                var any = false;
                bool more;
                do
                {
                    read.Clear();
                    while (read.Count < FollowCheckLines && reader.TryReadLine(out var line))
                    {
                        read.Add(line);
                    }

                    more = read.Count == FollowCheckLines;
                    if (!file.StillBegins(fingerprint))
                    {
                        Log.FileTruncated(logger, path, reader.Offset);
                        return new FileSummary(path, ingest.FormatName, ingest.Run, null);
                    }

                    foreach (var line in read)
                    {
                        await ingest.AcceptAsync(line, CancellationToken.None).ConfigureAwait(false);
                    }

                    any |= read.Count > 0;
                }
                while (more);

                var now = time.GetUtcNow();
                quietSince = any ? now : quietSince;
                if (ingest.PendingLines > 0 && now - quietSince >= quietFlush)
                {
                    await ingest.FlushAsync(final: false, CancellationToken.None).ConfigureAwait(false);
                }

                Progress?.Report(new IngestProgress(0, 1, path, ingest.Read.Lines, ingest.Read.Unrecognised, TimeSpan.Zero));
                if (file.Length < reader.Offset)
                {
                    // Truncated in place (copytruncate): what was read stays; start over.
                    Log.FileTruncated(logger, path, reader.Offset);
                    break;
                }

                if (Rotated(path, file, fileKey))
                {
                    // Rotated: the path is a new file. Drain the old one, partial last line included.
                    // (While the path is missing, the old file is still followed: its writer may not have let go.)
                    reader.Follow = false;
                    while (reader.TryReadLine(out var line))
                    {
                        await ingest.AcceptAsync(line, CancellationToken.None).ConfigureAwait(false);
                    }

                    break;
                }

                try
                {
                    await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            // Whatever was read is committed, also when following stops.
            await ingest.FlushAsync(final: true, CancellationToken.None).ConfigureAwait(false);
        }

        return new FileSummary(path, ingest.FormatName, ingest.Run, null);
    }

    /// <summary>Whether the path now names another file than the one followed: by device and inode, else (where those are not known) by content.</summary>
    private static bool Rotated(string path, OpenLogFile followed, string fileKey)
    {
        if (followed.Identity is { } identity)
        {
            return UnixFileIdentity.OfPath(path) is { } now && !now.IsSameFileAs(identity);
        }

        using var current = TryOpen(path);
        return current is not null && current.Fingerprint()?.Key != fileKey;
    }

    private static OpenLogFile? TryOpen(string path)
    {
        try
        {
            return OpenLogFile.Open(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Receives syslog over the network until cancelled (see <see cref="SyslogListener"/>) and
    /// ingests each message as a line of <paramref name="format"/>; messages of other programs are
    /// skipped. A network stream cannot be re-read: batches are committed when full or after a
    /// second of quiet, and a crash loses the batch in flight. What the listener drops is logged and
    /// stored by reason (<c>listener_drops</c>) at most once a second, and at the end.
    /// </summary>
    /// <param name="started">Called with the bound UDP, TCP and TLS endpoints once the sockets listen.</param>
    /// <exception cref="ArgumentException">The listener's options are not valid; the message says why in one sentence.</exception>
    public async Task<FileSummary> ListenAsync(
        SyslogListenerOptions listening, LogFormat format, Action<IPEndPoint?, IPEndPoint?, IPEndPoint?> started, CancellationToken cancellationToken)
    {
        var writer = NewWriter(CancellationToken.None);
        await using (writer.ConfigureAwait(false))
        {
            var listener = SyslogListener.Start(listening, logger);
            var name = $"syslog {string.Join(" ", new[] { Url("udp", listener.UdpEndpoint), Url("tcp", listener.TcpEndpoint), Url("tls", listener.TlsEndpoint) }.OfType<string>())}";
            var now = time.GetUtcNow();
            var origin = new LineOrigin(name, options.Relay, new TimestampContext(options.Year ?? now.Year, options.Year is null ? now.Month : 12, options.TimeZone) { DateOrder = options.DateOrder });
            var key = "listen-" + Guid.NewGuid().ToString("N");
            var ingest = Begin(key, name, format, origin, checkpoint: null, writer);
            var drops = new DropRecord(key, name, listener.Drops, checkpoints, logger, time);
            long number = 0, offset = 0;
            started(listener.UdpEndpoint, listener.TcpEndpoint, listener.TlsEndpoint);
            try
            {
                while (true)
                {
                    using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    quiet.CancelAfter(TimeSpan.FromSeconds(1));
                    try
                    {
                        var text = await listener.Messages.ReadAsync(quiet.Token).ConfigureAwait(false);
                        offset += Encoding.UTF8.GetByteCount(text) + 1;
                        await ingest.AcceptAsync(new LogLine(text, ++number, offset, LineProblem.None), CancellationToken.None).ConfigureAwait(false);
                        await drops.RecordAsync(due: false).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        await ingest.FlushAsync(final: true, CancellationToken.None).ConfigureAwait(false);
                        await drops.RecordAsync(due: true).ConfigureAwait(false);
                        Progress?.Report(new IngestProgress(0, 1, name, ingest.Read.Lines, ingest.Read.Unrecognised, TimeSpan.Zero));
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: take in what already arrived.
                await listener.DisposeAsync().ConfigureAwait(false);
                while (listener.Messages.TryRead(out var text))
                {
                    offset += Encoding.UTF8.GetByteCount(text) + 1;
                    await ingest.AcceptAsync(new LogLine(text, ++number, offset, LineProblem.None), CancellationToken.None).ConfigureAwait(false);
                }
            }
            finally
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }

            await ingest.FlushAsync(final: true, CancellationToken.None).ConfigureAwait(false);
            await drops.RecordAsync(due: true).ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
            var problem = listener.Drops.Total > 0 ? $"the listener dropped {listener.Drops} (see docs/operations.md, Listening)" : null;
            return new FileSummary(name, ingest.FormatName, ingest.Run, problem);
        }

        static string? Url(string scheme, IPEndPoint? endpoint) => endpoint is null ? null : $"{scheme}://{endpoint}";
    }

    /// <summary>The lines detection looks at, from the start of the open file.</summary>
    private static List<string> FirstLines(OpenLogFile file)
    {
        using var stream = file.Read();
        using var reader = new LineReader(stream);

        // The main read reports any damage; detection goes by the lines before it.
        return [.. ReadAhead(reader, out _).Select(l => l.Text)];
    }

    /// <summary>
    /// A file's stamps with their date order settled, for the formats whose dates can be read two ways
    /// (Domino's): <c>--date-order</c>, else what the first lines prove, else the separator's usual
    /// order with a warning that the file did not prove it.
    /// </summary>
    private TimestampContext WithDateOrder(LogFormat format, TimestampContext context, IEnumerable<string> firstLines, string path)
    {
        if (format != LogFormat.Domino || context.DateOrder is not null)
        {
            return context;
        }

        var order = DominoParser.DetectDateOrder(firstLines, out var proven);
        if (order is { } assumed && !proven)
        {
            Log.DateOrderAssumed(logger, path, assumed);
        }

        return context with { DateOrder = order };
    }

    /// <summary>
    /// Ingests a stream that cannot be re-read (standard input). Its batches are named afresh on
    /// every run, so sending the same lines twice stores them twice.
    /// </summary>
    public async Task<FileSummary> IngestStreamAsync(Stream input, string name, CancellationToken cancellationToken)
    {
        var writer = NewWriter(cancellationToken);
        await using (writer.ConfigureAwait(false))
        {
            using var reader = new LineReader(input);
            var context = new TimestampContext(options.Year ?? time.GetUtcNow().Year, options.Year is null ? time.GetUtcNow().Month : 12, options.TimeZone) { DateOrder = options.DateOrder };
            var key = "stdin-" + Guid.NewGuid().ToString("N");

            // Standard input cannot be read twice: the lines that tell its format are read first, and parsed first.
            var firstLines = ReadAhead(reader, out var damage);
            if (FormatOf(null, firstLines.Select(l => l.Text)) is not { } format)
            {
                return new FileSummary(name, string.Empty, FileCounts.Zero, UnknownFormat(name));
            }

            var origin = new LineOrigin(name, options.Relay, WithDateOrder(format, context, firstLines.Select(l => l.Text), name));
            var ingest = Begin(key, name, format, origin, checkpoint: null, writer);
            // Damage within the first lines ends the read after them.
            var problem = await PumpAsync(damage is null ? reader : null, firstLines, ingest, name, (_, _) => { }, cancellationToken).ConfigureAwait(false)
                ?? (damage is null ? null : CutShort(name, damage));
            await ingest.FlushAsync(final: true, cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
            return new FileSummary(name, ingest.FormatName, ingest.Run, problem);
        }
    }

    /// <param name="handedOn">
    /// The checkpoint each file key reached in this run, ahead of the store (batches are committed behind the
    /// reading): a file read twice in one run (named twice, a link, a copy) resumes where it was left, and is not counted twice.
    /// </param>
    private async Task<FileSummary> IngestFileAsync(
        LogFileTarget target, BatchWriter writer, ReadClaims claims, Dictionary<string, FileCheckpoint> handedOn, Action<long, long> progress,
        CancellationToken cancellationToken)
    {
        var path = target.Path;
        if (target.InFolder && LogFiles.CopyOfAnotherLog(path) is { } copy)
        {
            return PassedOver(path, copy);
        }

        // Opened once: the key, the checkpoint it selects and the lines all come from this handle, so a
        // rotation that gives the path to another file meanwhile cannot put this file's checkpoint on it.
        OpenLogFile file;
        try
        {
            file = OpenLogFile.Open(path);
        }
        catch (UnauthorizedAccessException)
        {
            // /var/log holds files only root may read (btmp); a file named explicitly must be readable.
            const string Unreadable = "this user may not read it";
            return target.InFolder ? PassedOver(path, Unreadable) : new FileSummary(path, string.Empty, FileCounts.Zero, $"{path} could not be read: {Unreadable}");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Rotated away since the folder was listed: its lines are read under its new name.
            return PassedOver(path, "it was renamed or removed while ingest ran");
        }

        using (file)
        {
            if (file.Fingerprint()?.Key is not { } fileKey)
            {
                return new FileSummary(path, string.Empty, FileCounts.Zero, null);
            }

            if (await claims.ClaimAsync(fileKey, path, following: false, cancellationToken).ConfigureAwait(false) == ClaimOutcome.FollowedElsewhere)
            {
                return PassedOver(path, "another relaywatch process follows it and stores its lines");
            }

            FileIngest? ingest = null;
            try
            {
                return await IngestClaimedFileAsync(target, file, fileKey, writer, handedOn, progress, cancellationToken, started => ingest = started).ConfigureAwait(false);
            }
            finally
            {
                claims.ReleaseWhenLanded(fileKey, ingest?.HandedOn);
            }
        }
    }

    /// <summary>The body of <see cref="IngestFileAsync"/>, once the file is claimed.</summary>
    private async Task<FileSummary> IngestClaimedFileAsync(
        LogFileTarget target, OpenLogFile file, string fileKey, BatchWriter writer, Dictionary<string, FileCheckpoint> handedOn,
        Action<long, long> progress, CancellationToken cancellationToken, Action<FileIngest> started)
    {
        var path = target.Path;
        var (checkpoint, start, startLine) = await ResumePointAsync(file, path, fileKey, handedOn.GetValueOrDefault(fileKey), cancellationToken).ConfigureAwait(false);
        var firstLines = FirstLines(file);
        if (FormatOf(checkpoint, firstLines) is not { } format)
        {
            // /var/log holds every program's logs: those that are no mail log are a note, not a failure.
            return target.InFolder ? PassedOver(path, "not a mail log RelayWatch reads") : new FileSummary(path, string.Empty, FileCounts.Zero, UnknownFormat(path));
        }

        var origin = Resume(file, path, format, firstLines, start, startLine);
        var stream = file.Read();
        await using (stream.ConfigureAwait(false))
        {
            await SkipToAsync(stream, start, cancellationToken).ConfigureAwait(false);
            using var reader = new LineReader(stream, start, startLine);
            var ingest = Begin(fileKey, path, format, origin, checkpoint, writer);
            started(ingest);
            var problem = await PumpAsync(reader, [], ingest, path, progress, cancellationToken).ConfigureAwait(false);
            await ingest.FlushAsync(final: true, cancellationToken).ConfigureAwait(false);
            if (ingest.HandedOn is { } last)
            {
                handedOn[fileKey] = last;
            }

            return new FileSummary(path, ingest.FormatName, ingest.Run, problem);
        }
    }

    /// <summary>The one writer of a run, whatever its source.</summary>
    private BatchWriter NewWriter(CancellationToken cancellationToken) => new(store, checkpoints, logger, options.InsertsInFlight, cancellationToken, Seams);

    private static FileSummary PassedOver(string path, string why) => new(path, string.Empty, FileCounts.Zero, null) { PassedOver = why };

    /// <summary>
    /// The one assembly of the pipeline behind every source (files, followed files, the listener, standard input):
    /// the format's parser, the source's origin and checkpoint, and the run's writer.
    /// </summary>
    private FileIngest Begin(string key, string name, LogFormat format, LineOrigin origin, FileCheckpoint? checkpoint, BatchWriter writer) =>
        new(key, name, format, ParserFor(format), origin, checkpoint, writer, options, ExpiredBefore());

    /// <summary>
    /// Where a run picks up an open file: after its checkpoint (this run's own, else the store's), or at its
    /// start when the file is now shorter than the checkpoint says (truncated in place, e.g. copytruncate, and
    /// written again from the same first line, as its key is the same): the file's next generation.
    /// </summary>
    private async Task<(FileCheckpoint? Checkpoint, long Start, long StartLine)> ResumePointAsync(
        OpenLogFile file, string path, string fileKey, FileCheckpoint? handedOn, CancellationToken cancellationToken)
    {
        var checkpoint = handedOn ?? await checkpoints.ReadAsync(fileKey, cancellationToken).ConfigureAwait(false);
        var (start, startLine) = ResumeAt(checkpoint);
        if (!file.Compressed && file.Length < start)
        {
            Log.FileTruncated(logger, path, start);
            return (checkpoint!.NextGeneration(path), 0, 0);
        }

        return (checkpoint, start, startLine);
    }

    /// <summary>The origin of a file's lines, with the parser brought up to <paramref name="start"/> when the run resumes part way.</summary>
    private LineOrigin Resume(OpenLogFile file, string path, LogFormat format, List<string> firstLines, long start, long startLine)
    {
        var origin = new LineOrigin(path, options.Relay, WithDateOrder(format, TimestampsOf(file), firstLines, path));
        if (start > 0)
        {
            Log.Resuming(logger, path, start, startLine);
            WarmUp(file, start, ParserFor(format), origin);
        }

        return origin;
    }

    /// <summary>The lines format detection reads, and the damage that cut them short, if any.</summary>
    private static List<LogLine> ReadAhead(LineReader reader, out Exception? damage)
    {
        var lines = new List<LogLine>();
        damage = null;
        try
        {
            while (lines.Count < LogFormats.DetectionLines && reader.TryReadLine(out var line))
            {
                lines.Add(line);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            damage = e;
        }

        return lines;
    }

    /// <summary>Feeds <paramref name="first"/>, then the reader's lines (if any), to the ingest; returns the damage that ended the read early, if any.</summary>
    private async Task<string?> PumpAsync(LineReader? reader, List<LogLine> first, FileIngest ingest, string path, Action<long, long> progress, CancellationToken cancellationToken)
    {
        foreach (var line in first)
        {
            await ingest.AcceptAsync(line, cancellationToken).ConfigureAwait(false);
        }

        while (reader is not null)
        {
            LogLine line;
            try
            {
                if (!reader.TryReadLine(out line))
                {
                    return null;
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                return CutShort(path, e);
            }

            await ingest.AcceptAsync(line, cancellationToken).ConfigureAwait(false);
            if (line.Number % ProgressEveryLines == 0)
            {
                progress(ingest.Read.Lines, ingest.Read.Unrecognised);
            }
        }

        return null;
    }

    /// <summary>The format: <c>--format</c>, else the one the checkpoint recorded, else detected from the first lines.</summary>
    private LogFormat? FormatOf(FileCheckpoint? checkpoint, IEnumerable<string> firstLines) =>
        options.Format
        ?? (checkpoint is not null ? LogFormats.Parse(checkpoint.Format) : null)
        ?? LogFormats.Detect(firstLines);

    private static string UnknownFormat(string path) =>
        $"the format of {path} was not recognised from its first lines; name it with --format ({string.Join(", ", LogFormats.Names)})";

    private DateTimeOffset ExpiredBefore() =>
        options.RetentionDays is { } days ? time.GetUtcNow().AddDays(-days) : DateTimeOffset.MinValue;

    /// <summary>Where to start reading a file: after its last committed batch, or at the start of the oldest batch still pending.</summary>
    private static (long Offset, long Line) ResumeAt(FileCheckpoint? checkpoint) =>
        checkpoint is null ? (0, 0)
        : checkpoint.IsPending ? (checkpoint.BatchStart, checkpoint.BatchStartLine)
        : (checkpoint.Offset, checkpoint.Line);

    /// <summary>Year and zone for a file's stamps: <c>--year</c>, else its last write (December lines read in January go back a year).</summary>
    private TimestampContext TimestampsOf(OpenLogFile file)
    {
        var written = file.LastWriteTimeUtc;
        return new TimestampContext(options.Year ?? written.Year, options.Year is null ? written.Month : 12, options.TimeZone) { DateOrder = options.DateOrder };
    }

    private ILogParser ParserFor(LogFormat format)
    {
        if (!parsers.TryGetValue(format, out var parser))
        {
            parser = LogFormats.CreateParser(format, options.CorrelationHorizon);
            parsers[format] = parser;
        }

        return parser;
    }

    /// <summary>
    /// Before resuming a file part way, replays its lines up to the checkpoint through the parser,
    /// storing nothing, so that sessions and messages begun before the checkpoint are correlated
    /// exactly as in an uninterrupted run.
    /// </summary>
    private static void WarmUp(OpenLogFile file, long until, ILogParser parser, LineOrigin origin)
    {
        using var stream = file.Read();
        using var reader = new LineReader(stream);
        try
        {
            while (reader.TryReadLine(out var line) && line.EndOffset <= until)
            {
                parser.Parse(line.Text, origin, line.Number);
                parser.TakeReleased();
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // The main read reports the damage; the warm-up just stops where it is.
        }

        // The checkpoint's batch stored every event of its lines, the waiting ones included.
        parser.TakeWaiting(origin.File);
    }

    private string CutShort(string path, Exception e)
    {
        Log.FileCutShort(logger, path, e.Message);
        return $"{path} is damaged or cut short ({e.Message.TrimEnd('.')}); the lines before the damage were read";
    }

    /// <summary>Moves a fresh reader to <paramref name="bytes"/> into the content: a seek, or reading past them in a compressed file.</summary>
    private static async Task SkipToAsync(Stream stream, long bytes, CancellationToken cancellationToken)
    {
        if (stream.CanSeek)
        {
            stream.Seek(bytes, SeekOrigin.Begin);
            return;
        }

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
