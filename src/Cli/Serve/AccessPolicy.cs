using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// Who may use serve's pages and API: anyone on this machine (loopback), and from elsewhere only
/// with the HTTP Basic credentials of <c>$RELAYWATCH_SERVE_CREDENTIALS</c> (<c>user:password</c>).
/// Without credentials configured, remote requests are refused whatever address serve listens on.
/// </summary>
internal sealed class AccessPolicy(string? credentials)
{
    public const string CredentialsVariable = "RELAYWATCH_SERVE_CREDENTIALS";

    private readonly byte[]? expected = string.IsNullOrEmpty(credentials) ? null : Encoding.UTF8.GetBytes(credentials);

    public bool RemoteAccessConfigured => expected is not null;

    public bool Allows(IPAddress? remote, string? authorization)
    {
        if (remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return true;
        }

        if (expected is null || authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromBase64String(authorization["Basic ".Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
