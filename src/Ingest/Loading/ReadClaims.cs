using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace RelayWatch.Ingest.Loading;

/// <summary>
/// The log files one run is reading, each claimed on this host for as long as its batches are on their way.
/// Exactly-once rests on deduplication tokens, and a token names a batch's byte range: two processes reading
/// one file at once (a cron <c>ingest</c> beside a follower, or the same file named in two jobs) cut it into
/// different batches whenever their batch sizes or quiet flushes differ, so every row would be stored twice.
/// A claim is an exclusive <c>flock</c> on a lock file named by the file's key (its content, not its path, so
/// a link or a second name claims the same file); a second reader waits, and then resumes from the checkpoint
/// the first one committed. A claim is released once the file's last batch has landed and its checkpoint is
/// committed, or when the process ends (the kernel drops the lock of a killed process).
/// Readers on other machines sharing one ClickHouse server do not see these claims: docs/operations.md.
/// </summary>
internal sealed class ReadClaims : IDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(200);

    private readonly Lock gate = new();
    private readonly Dictionary<string, Claim> held = new(StringComparer.Ordinal);
    private readonly BatchWriter writer;
    private readonly string folder;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    public ReadClaims(BatchWriter writer, TimeProvider time, ILogger logger, string? folder = null)
    {
        this.writer = writer;
        this.time = time;
        this.logger = logger;
        this.folder = folder ?? DefaultFolder;
        writer.Committed += OnCommitted;
    }

    /// <summary>Where the lock files live: the temporary folder, one sub-folder per user.</summary>
    public static string DefaultFolder => Path.Combine(Path.GetTempPath(), $"relaywatch-{Environment.UserName}-reading");

    /// <summary>
    /// Claims the file with this key, waiting while another process (or this one, for a file named twice) holds it.
    /// Returns false when no lock file can be made here (a read-only temporary folder): the file is then read
    /// unclaimed, as before claims existed, and a warning says so once.
    /// </summary>
    public async Task<bool> ClaimAsync(string fileKey, string path, CancellationToken cancellationToken)
    {
        var lockPath = Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fileKey)))[..32] + ".lock");
        var waiting = false;
        while (true)
        {
            lock (gate)
            {
                if (!held.ContainsKey(fileKey))
                {
                    try
                    {
                        Directory.CreateDirectory(folder);
                        // FileShare.None takes an exclusive flock on Unix (and a share lock on Windows).
                        var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                        held[fileKey] = new Claim(stream);
                        return true;
                    }
                    catch (UnauthorizedAccessException e)
                    {
                        Log.ReadingUnclaimed(logger, path, e.Message);
                        return false;
                    }
                    catch (IOException) when (File.Exists(lockPath))
                    {
                        // Held by another process: wait below.
                    }
                    catch (IOException e)
                    {
                        Log.ReadingUnclaimed(logger, path, e.Message);
                        return false;
                    }
                }
            }

            if (!waiting)
            {
                Log.WaitingForOtherReader(logger, path);
                waiting = true;
            }

            await Task.Delay(Retry, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Releases the claim once <paramref name="last"/> (the file's last batch queued to the writer) has been
    /// committed; at once when the run queued nothing for it.
    /// </summary>
    public void ReleaseWhenLanded(string fileKey, FileCheckpoint? last)
    {
        lock (gate)
        {
            if (!held.TryGetValue(fileKey, out var claim))
            {
                return;
            }

            if (last is null || claim.Committed >= last.Version)
            {
                Release(fileKey, claim);
            }
            else
            {
                claim.ReleaseAt = last.Version;
            }
        }
    }

    public void Dispose()
    {
        writer.Committed -= OnCommitted;
        lock (gate)
        {
            foreach (var (key, claim) in held.ToList())
            {
                Release(key, claim);
            }
        }
    }

    private void OnCommitted(FileCheckpoint checkpoint)
    {
        lock (gate)
        {
            if (held.TryGetValue(checkpoint.FileKey, out var claim))
            {
                claim.Committed = Math.Max(claim.Committed, checkpoint.Version);
                if (claim.Committed >= claim.ReleaseAt)
                {
                    Release(checkpoint.FileKey, claim);
                }
            }
        }
    }

    private void Release(string fileKey, Claim claim)
    {
        held.Remove(fileKey);
        claim.Stream.Dispose();
    }

    private sealed class Claim(FileStream stream)
    {
        public FileStream Stream { get; } = stream;

        /// <summary>The newest checkpoint version of the file committed while claimed.</summary>
        public long Committed { get; set; } = -1;

        /// <summary>The version whose commit releases the claim; none until the run has queued the file's last batch.</summary>
        public long ReleaseAt { get; set; } = long.MaxValue;
    }
}
