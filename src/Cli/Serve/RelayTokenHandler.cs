using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RelayWatch.Cli.Serve;

/// <summary>A relay's <c>Authorization: Bearer</c> token: the <see cref="ConsoleRoles.Relay"/> role, which reads the blocklist feed and nothing else.</summary>
internal sealed class RelayTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServeSecurity security)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "relay-token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var relay = security.Users.Current.VerifyToken(header["Bearer ".Length..].Trim());
        if (relay is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not a relay's."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "relay:" + relay.Relay), new Claim(ClaimTypes.Role, ConsoleRoles.Relay)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"RelayWatch\"";
        return Task.CompletedTask;
    }
}
