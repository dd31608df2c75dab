using System.Globalization;
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
/// committed, or when the process ends (the kernel drops the lock of a killed process). A follower holds its
/// claim for as long as it follows, so a one-off run does not wait for it: it passes the file over, since the
/// follower stores its lines (a note beside the lock file says who holds it).
/// Readers on other machines sharing one ClickHouse server do not see these claims: docs/operations.md.
/// </summary>
internal sealed class ReadClaims : IDisposable
{
    private const string Following = "follow";
    private const string Reading = "read";

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
    /// Claims the file with this key, waiting while another process (or this one, for a file named twice) holds it;
    /// a one-off read (<paramref name="following"/> false) does not wait for a follower but returns
    /// <see cref="ClaimOutcome.FollowedElsewhere"/>. When no lock file can be made here (a read-only temporary
    /// folder) the file is read unclaimed, as before claims existed, and a warning says so.
    /// </summary>
    public async Task<ClaimOutcome> ClaimAsync(string fileKey, string path, bool following, CancellationToken cancellationToken)
    {
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fileKey)))[..32];
        var lockPath = Path.Combine(folder, name + ".lock");
        var holderPath = Path.Combine(folder, name + ".holder");
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
                        File.WriteAllText(holderPath, string.Create(CultureInfo.InvariantCulture, $"{(following ? Following : Reading)} {Environment.ProcessId}\n"));
                        return ClaimOutcome.Claimed;
                    }
                    catch (UnauthorizedAccessException e)
                    {
                        Log.ReadingUnclaimed(logger, path, e.Message);
                        return ClaimOutcome.Unclaimed;
                    }
                    catch (IOException) when (File.Exists(lockPath))
                    {
                        // Held by another process: wait below, unless a follower holds it and this is a one-off read.
                        if (!following && HeldByFollower(holderPath))
                        {
                            return ClaimOutcome.FollowedElsewhere;
                        }
                    }
                    catch (IOException e)
                    {
                        Log.ReadingUnclaimed(logger, path, e.Message);
                        return ClaimOutcome.Unclaimed;
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

    private static bool HeldByFollower(string holderPath)
    {
        try
        {
            return File.ReadAllText(holderPath).StartsWith(Following + " ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
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

/// <summary>How a run came to read a file, or not.</summary>
internal enum ClaimOutcome
{
    /// <summary>This run holds the file's claim.</summary>
    Claimed,

    /// <summary>No claim could be made here; the file is read anyway.</summary>
    Unclaimed,

    /// <summary>A follower in another process holds the file and stores its lines; a one-off run passes it over.</summary>
    FollowedElsewhere,
}
