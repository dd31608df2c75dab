using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// The console's users and relay tokens, one JSON file (<c>serve-users.json</c> by default) readable by its owner
/// only. Passwords are hashed by ASP.NET Core's <see cref="PasswordHasher{TUser}"/> (PBKDF2); tokens by SHA-256.
/// </summary>
internal sealed partial record UsersFile(IReadOnlyList<ConsoleUser> Users, IReadOnlyList<RelayToken> RelayTokens, IReadOnlyList<UsersChange>? Changes = null)
{
    /// <summary>The file keeps the newest changes for the audit trail; serve copies them there long before this many accumulate.</summary>
    private const int KeptChanges = 1000;

    public const string DefaultName = "serve-users.json";
    public const string TokenPrefix = "rwr_";
    private const int MinPasswordLength = 12;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };
    private static readonly PasswordHasher<ConsoleUser> Hasher = new();

    public static UsersFile Empty { get; } = new([], [], []);

    /// <summary>Reads the file; a missing file has no users.</summary>
    /// <exception cref="UsageException">The file is not valid; the message says which.</exception>
    public static UsersFile Load(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }

        try
        {
            var file = JsonSerializer.Deserialize<UsersFile>(File.ReadAllText(path), Json) ?? Empty;
            return new UsersFile(file.Users ?? [], file.RelayTokens ?? [], file.Changes ?? []);
        }
        catch (JsonException e)
        {
            throw new UsageException($"The users file {path} is not valid JSON ({e.Message.TrimEnd('.')}); fix it or remove it and add the users again.");
        }
    }

    /// <summary>Writes the file whole (a new file renamed over the old one), readable and writable by its owner only.</summary>
    public void Save(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, streamOptions))
        {
            JsonSerializer.Serialize(stream, this, Json);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// This file with a change recorded for the audit trail: by the account running the command (<c>cli:NAME</c>), at
    /// <paramref name="now"/> to the millisecond.
    /// </summary>
    public UsersFile Recording(string action, string subject, string note, DateTime now)
    {
        var at = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        var change = new UsersChange(at, "cli:" + Environment.UserName, action, subject, note);
        return this with { Changes = [.. (Changes ?? []).TakeLast(KeptChanges - 1), change] };
    }

    /// <summary>This file with a user added (or their password and role replaced).</summary>
    /// <exception cref="UsageException">The name, role or password is unusable; the message says why.</exception>
    public UsersFile WithUser(string name, string role, string password, DateTime now)
    {
        if (!UserName().IsMatch(name))
        {
            throw new UsageException($"'{name}' is not a usable user name: use 1 to 64 letters, digits, '.', '_', '-' or '@'.");
        }

        if (!ConsoleRoles.People.Contains(role))
        {
            throw new UsageException($"There is no role '{role}'; the roles are {string.Join(", ", ConsoleRoles.People)}.");
        }

        if (password.Length < MinPasswordLength)
        {
            throw new UsageException($"The password is {password.Length} characters long; use at least {MinPasswordLength}.");
        }

        var user = new ConsoleUser(name, role, string.Empty, now);
        user = user with { PasswordHash = Hasher.HashPassword(user, password) };
        return this with { Users = [.. Users.Where(u => !u.Name.Equals(name, StringComparison.Ordinal)), user] };
    }

    /// <summary>This file without the user; null when there is no such user.</summary>
    public UsersFile? WithoutUser(string name) =>
        Users.Any(u => u.Name.Equals(name, StringComparison.Ordinal)) ? this with { Users = [.. Users.Where(u => !u.Name.Equals(name, StringComparison.Ordinal))] } : null;

    /// <summary>This file with a new token for the relay (replacing its old one), and the token itself, shown once.</summary>
    public (UsersFile File, string Token) WithRelayToken(string relay, DateTime now)
    {
        if (!UserName().IsMatch(relay))
        {
            throw new UsageException($"'{relay}' is not a usable relay name: use 1 to 64 letters, digits, '.', '_', '-' or '@'.");
        }

        var token = TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (this with { RelayTokens = [.. RelayTokens.Where(t => !t.Relay.Equals(relay, StringComparison.Ordinal)), new RelayToken(relay, HashToken(token), now)] }, token);
    }

    /// <summary>This file without the relay's token; null when it has none.</summary>
    public UsersFile? WithoutRelayToken(string relay) =>
        RelayTokens.Any(t => t.Relay.Equals(relay, StringComparison.Ordinal)) ? this with { RelayTokens = [.. RelayTokens.Where(t => !t.Relay.Equals(relay, StringComparison.Ordinal))] } : null;

    /// <summary>The user these credentials name, when the password is theirs.</summary>
    public ConsoleUser? Verify(string name, string password)
    {
        var user = Users.FirstOrDefault(u => u.Name.Equals(name, StringComparison.Ordinal));
        if (user is null)
        {
            // Spend the same work for an unknown name, so timing does not tell which names exist.
            Hasher.VerifyHashedPassword(Decoy, Decoy.PasswordHash, password);
            return null;
        }

        return Hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed ? null : user;
    }

    /// <summary>The relay whose token this is.</summary>
    public RelayToken? VerifyToken(string token)
    {
        var hash = Encoding.ASCII.GetBytes(HashToken(token));
        return RelayTokens.FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(t.TokenHash), hash));
    }

    private static readonly ConsoleUser Decoy = CreateDecoy();

    private static ConsoleUser CreateDecoy()
    {
        var decoy = new ConsoleUser(string.Empty, ConsoleRoles.Viewer, string.Empty, DateTime.UnixEpoch);
        return decoy with { PasswordHash = Hasher.HashPassword(decoy, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))) };
    }

    private static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    [GeneratedRegex(@"^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex UserName();
}
