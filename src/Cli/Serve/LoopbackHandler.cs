using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// The machine's owner on loopback, while serve has no users and no proxy (<see cref="ServeSecurity.TrustsLoopback"/>):
/// an admin named after the account serve runs as, as every other relaywatch command runs.
/// </summary>
internal sealed class LoopbackHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "loopback";

    /// <summary>Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever its socket says.</summary>
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"];

    /// <summary>
    /// Whether a request was made on this machine: from a loopback socket, and not relayed by a proxy on this
    /// machine that nobody configured (serve.trustedProxies), which would otherwise make every stranger the owner.
    /// </summary>
    public static bool IsFromThisMachine(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote
        && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)
        && !ForwardingHeaders.Any(context.Request.Headers.ContainsKey);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "local:" + Environment.UserName), new Claim(ClaimTypes.Role, ConsoleRoles.Admin)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
