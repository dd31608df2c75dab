using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>
/// The console's security rules (issue 19), each against the real serve process: refused set-ups, 401 or the
/// login page, anti-forgery on forms and on the Hangfire dashboard, the relay token's reach, Host filtering,
/// HTTPS with a certificate the test makes, roles, and the audit trail.
/// </summary>
public sealed partial class ConsoleSecurityTests : IDisposable
{
    private const string AdminPassword = "correct horse battery";
    private const string ViewerPassword = "viewer password 42";

    private readonly TemporaryDirectory directory = new();
    private readonly List<Process> started = [];

    public void Dispose()
    {
        foreach (var process in started)
        {
            RelayWatchProcess.StopAsync(process).GetAwaiter().GetResult();
        }

        directory.Dispose();
    }

    [Fact]
    public async Task ANonLoopbackBindWithoutUsersIsRefusedInOneSentence()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "serve", "--urls", "http://0.0.0.0:5999");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: serve would listen on 0.0.0.0, beyond this machine, but has no users: add one with `relaywatch serve user add NAME --role admin` first, or listen on 127.0.0.1.", result.Error.Trim());
    }

    [Fact]
    public async Task ClearTextPasswordsOverTheNetworkAndTheOldCredentialVariableAreRefused()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(AdminPassword + "\n", "--data", data, "serve", "user", "add", "ana", "--role", "admin")).ExitCode);

        var clear = await RelayWatchProcess.RunAsync("--data", data, "serve", "--urls", "http://0.0.0.0:5999");
        using var old = RelayWatchProcess.Start(["--data", data, "serve"], environment: new Dictionary<string, string> { ["RELAYWATCH_SERVE_CREDENTIALS"] = "ana:secret" });
        var oldError = await old.StandardError.ReadToEndAsync();
        await old.WaitForExitAsync();

        Assert.Equal(2, clear.ExitCode);
        Assert.Equal("relaywatch: serve would take passwords in clear on http://0.0.0.0:5999: use an https:// URL with serve.tlsCertificate, or a TLS proxy in front of a loopback URL (serve.trustedProxies).", clear.Error.Trim());
        Assert.Equal(2, old.ExitCode);
        Assert.Equal("relaywatch: RELAYWATCH_SERVE_CREDENTIALS is no longer read: add people with `relaywatch serve user add NAME --role admin` (and relays with `serve token add RELAY`), then unset it.", oldError.Trim());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task UsersAreKeptWithHashedPasswordsAndRolesAndCanBeRemoved()
    {
        var data = directory.Combine("data");
        var added = await RelayWatchProcess.RunWithInputAsync(AdminPassword + "\n", "--data", data, "serve", "user", "add", "ana", "--role", "admin");
        var badRole = await RelayWatchProcess.RunWithInputAsync(AdminPassword + "\n", "--data", data, "serve", "user", "add", "bo", "--role", "root");
        var shortPassword = await RelayWatchProcess.RunWithInputAsync("short\n", "--data", data, "serve", "user", "add", "bo", "--role", "viewer");
        var token = await RelayWatchProcess.RunAsync("--data", data, "serve", "token", "add", "mx1");
        var listed = await RelayWatchProcess.RunAsync("--data", data, "serve", "user", "list");
        var file = await File.ReadAllTextAsync(Path.Combine(data, "serve-users.json"));
        var removed = await RelayWatchProcess.RunAsync("--data", data, "serve", "user", "remove", "ana");
        var removedTwice = await RelayWatchProcess.RunAsync("--data", data, "serve", "user", "remove", "ana");

        Assert.Equal(0, added.ExitCode);
        Assert.Equal("relaywatch: There is no role 'root'; the roles are viewer, analyst, admin.", badRole.Error.Trim());
        Assert.Equal("relaywatch: The password is 5 characters long; use at least 12.", shortPassword.Error.Trim());
        Assert.Matches(@"^rwr_[A-Za-z0-9_-]{43}$", token.Output.Trim());
        Assert.Matches(@"ana\s+admin\s+\d{4}-\d{2}-\d{2}", listed.Output);
        Assert.DoesNotContain(AdminPassword, file, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Output.Trim(), file, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "serve-users.json")));
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal("relaywatch: There is no user ana; serve user list lists them.", removedTwice.Error.Trim());
    }

    [Fact]
    public async Task OverHttpsPeopleLogInWithAntiForgeryAndEachRuleHolds()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(AdminPassword + "\n", "--data", data, "serve", "user", "add", "ana", "--role", "admin")).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(ViewerPassword + "\n", "--data", data, "serve", "user", "add", "vic", "--role", "viewer")).ExitCode);
        var relayToken = (await RelayWatchProcess.RunAsync("--data", data, "serve", "token", "add", "mx1")).Output.Trim();
        using var certificate = MakeCertificate(out var certificatePath, out var keyPath);
        var config = directory.Combine("config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { serve = new { tlsCertificate = certificatePath, tlsKey = keyPath } }));
        var port = Loopback.FreePort();
        var origin = $"https://127.0.0.1:{port}";
        await StartAsync(["--data", data, "--config", config, "serve", "--urls", origin]);

        using var anonymous = Client(certificate, out _);
        // HTTPS serves with the test's certificate (the client accepts that certificate and no other).
        var api = await anonymous.GetAsync(new Uri($"{origin}/api/findings"));
        using var pageRequest = new HttpRequestMessage(HttpMethod.Get, new Uri($"{origin}/findings?detector=dha"));
        pageRequest.Headers.Accept.ParseAdd("text/html");
        var page = await anonymous.SendAsync(pageRequest);
        var dashboard = await anonymous.GetAsync(new Uri($"{origin}/hangfire"));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal($"{origin}/login?ReturnUrl=%2Ffindings%3Fdetector%3Ddha", page.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);

        // A foreign Host header (DNS rebinding) is refused before anything else.
        using var foreign = new HttpRequestMessage(HttpMethod.Get, new Uri($"{origin}/login"));
        foreign.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.SendAsync(foreign)).StatusCode);

        // The login form without its anti-forgery token is refused; with it, a wrong password is refused too.
        using var noToken = await anonymous.PostAsync(new Uri($"{origin}/login"), new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "ana", ["password"] = AdminPassword }));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        using var admin = Client(certificate, out var adminCookies);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(admin, origin, "ana", "not the password")).StatusCode);
        var loggedIn = await LogInAsync(admin, origin, "ana", AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, loggedIn.StatusCode);
        var session = adminCookies.GetCookies(new Uri(origin))["relaywatch"]!;
        Assert.True(session.Secure && session.HttpOnly);
        Assert.Contains("samesite=strict", loggedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("relaywatch=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);

        var overview = await admin.GetAsync(new Uri($"{origin}/"));
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.StartsWith("default-src 'none';", overview.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(new Uri($"{origin}/api/findings"))).StatusCode);

        // The Hangfire dashboard: a POST without the anti-forgery token is refused, the same POST with it is not.
        var dashboardPage = await admin.GetStringAsync(new Uri($"{origin}/hangfire/recurring"));
        var dashboardToken = AntiforgeryMeta().Match(dashboardPage);
        Assert.True(dashboardToken.Success, "the dashboard page carries no anti-forgery token");
        var trigger = new Dictionary<string, string> { ["jobs[]"] = "detect-hourly" };
        using var withoutToken = await admin.PostAsync(new Uri($"{origin}/hangfire/recurring/trigger"), new FormUrlEncodedContent(trigger));
        using var withToken = new HttpRequestMessage(HttpMethod.Post, new Uri($"{origin}/hangfire/recurring/trigger")) { Content = new FormUrlEncodedContent(trigger) };
        withToken.Headers.Add(dashboardToken.Groups["header"].Value, dashboardToken.Groups["token"].Value);
        var triggered = await admin.SendAsync(withToken);
        Assert.Equal(HttpStatusCode.Forbidden, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, triggered.StatusCode);

        // A viewer reads but may not act; an analyst's action from another site is refused outright.
        using var viewer = Client(certificate, out _);
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(viewer, origin, "vic", ViewerPassword)).StatusCode);
        var viewerForm = await FormTokenAsync(viewer, $"{origin}/ip/203.0.113.7");
        Assert.Null(viewerForm.Label);
        using var viewerLabel = await viewer.PostAsync(new Uri($"{origin}/ip/203.0.113.7/label"), new FormUrlEncodedContent(new Dictionary<string, string> { [viewerForm.Name] = viewerForm.Token, ["verdict"] = "bad", ["note"] = "x" }));
        Assert.Equal(HttpStatusCode.Forbidden, viewerLabel.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(new Uri($"{origin}/api/detect?day=2026-11-24"), null)).StatusCode);

        var adminForm = await FormTokenAsync(admin, $"{origin}/ip/203.0.113.7");
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, new Uri($"{origin}/ip/203.0.113.7/label"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { [adminForm.Name] = adminForm.Token, ["verdict"] = "bad", ["note"] = "from elsewhere" }),
        };
        crossSite.Headers.Add("Origin", "https://attacker.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync(crossSite)).StatusCode);
        using var labelWithoutToken = await admin.PostAsync(new Uri($"{origin}/ip/203.0.113.7/label"), new FormUrlEncodedContent(new Dictionary<string, string> { ["verdict"] = "bad", ["note"] = "no token" }));
        Assert.Equal(HttpStatusCode.BadRequest, labelWithoutToken.StatusCode);
        using var labelled = await admin.PostAsync(new Uri($"{origin}/ip/203.0.113.7/label"), new FormUrlEncodedContent(new Dictionary<string, string> { [adminForm.Name] = adminForm.Token, ["verdict"] = "bad", ["note"] = "harvesting since Monday" }));
        Assert.Equal(HttpStatusCode.Redirect, labelled.StatusCode);
        var profile = await admin.GetStringAsync(new Uri($"{origin}/ip/203.0.113.7"));
        Assert.Contains("Labelled <strong id=\"verdict\">bad</strong> by ana: harvesting since Monday", profile, StringComparison.Ordinal);
        // The audit trail: who, what, the note; the refused attempts left nothing.
        Assert.Matches(@"<tr><td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}</td><td>ana</td><td>label_bad</td><td>harvesting since Monday</td></tr>", profile);
        Assert.DoesNotContain("from elsewhere", profile, StringComparison.Ordinal);
        Assert.DoesNotContain("no token", profile, StringComparison.Ordinal);

        // The relay's token reads the feed and nothing else; a wrong token reads nothing.
        using var relay = Client(certificate, out _);
        relay.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", relayToken);
        Assert.Equal(HttpStatusCode.OK, (await relay.GetAsync(new Uri($"{origin}/blocklists/postfix-cidr"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await relay.GetAsync(new Uri($"{origin}/api/findings"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await relay.GetAsync(new Uri($"{origin}/"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await relay.GetAsync(new Uri($"{origin}/hangfire"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await relay.PostAsync(new Uri($"{origin}/api/detect"), null)).StatusCode);
        using var wrong = Client(certificate, out _);
        wrong.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "rwr_" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(new Uri($"{origin}/blocklists/postfix-cidr"))).StatusCode);

        // Once there are users, a request from this machine is nobody in particular.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"{origin}/api/schedule"))).StatusCode);
    }

    [Fact]
    public async Task WithoutUsersOnlyLoopbackIsServedAndCrossSitePostsAreRefused()
    {
        var port = Loopback.FreePort();
        var origin = $"http://127.0.0.1:{port}";
        await StartAsync(["--data", directory.Combine("data"), "serve", "--urls", origin]);
        using var http = new HttpClient();

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, new Uri($"{origin}/api/detect?day=2026-11-24"));
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var foreign = new HttpRequestMessage(HttpMethod.Get, new Uri($"{origin}/api/health"));
        foreign.Headers.Host = "rebound.attacker.example";
        // A proxy on this machine that nobody configured relays a stranger: not the machine's owner.
        using var relayed = new HttpRequestMessage(HttpMethod.Get, new Uri($"{origin}/api/schedule"));
        relayed.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var relayedMetrics = new HttpRequestMessage(HttpMethod.Get, new Uri($"{origin}/metrics"));
        relayedMetrics.Headers.Add("Forwarded", "for=203.0.113.9");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"{origin}/api/health"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(crossSite)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(foreign)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"{origin}/api/schedule"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(relayed)).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await http.SendAsync(relayedMetrics)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync(new Uri($"{origin}/api/detect?day=2026-11-24"), null)).StatusCode);
    }

    [Fact]
    public async Task ForwardedHeadersAreBelievedOnlyFromTheConfiguredProxyAndLoopbackIsThenNobody()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(AdminPassword + "\n", "--data", data, "serve", "user", "add", "ana", "--role", "admin")).ExitCode);
        var trusted = directory.Combine("trusted.json");
        await File.WriteAllTextAsync(trusted, JsonSerializer.Serialize(new { serve = new { trustedProxies = new[] { "127.0.0.1" } } }));
        var elsewhere = directory.Combine("elsewhere.json");
        await File.WriteAllTextAsync(elsewhere, JsonSerializer.Serialize(new { serve = new { trustedProxies = new[] { "192.0.2.10" } } }));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        async Task<(HttpStatusCode Api, bool Hsts)> AskAsync(string config)
        {
            var port = Loopback.FreePort();
            var serve = RelayWatchProcess.Start(["--data", data, "--config", config, "serve", "--urls", $"http://127.0.0.1:{port}"]);
            started.Add(serve);
            Assert.NotNull(await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on"));
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/login"));
            request.Headers.Add("X-Forwarded-For", "198.51.100.20");
            request.Headers.Add("X-Forwarded-Proto", "https");
            var login = await http.SendAsync(request);
            var api = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/api/schedule"));
            await RelayWatchProcess.StopAsync(serve);
            started.Remove(serve);
            return (api.StatusCode, login.Headers.Contains("Strict-Transport-Security"));
        }

        var fromProxy = await AskAsync(trusted);
        var fromStranger = await AskAsync(elsewhere);
        var withoutUsers = await RelayWatchProcess.RunAsync("--data", directory.Combine("empty"), "--config", trusted, "serve");

        // The configured proxy's X-Forwarded-Proto is believed (the request counts as HTTPS); anyone else's is not.
        Assert.True(fromProxy.Hsts);
        Assert.False(fromStranger.Hsts);
        // Behind a proxy, a loopback request is nobody: it must log in like everyone else.
        Assert.Equal(HttpStatusCode.Unauthorized, fromProxy.Api);
        Assert.Equal(HttpStatusCode.Unauthorized, fromStranger.Api);
        Assert.Equal("relaywatch: serve.trustedProxies is set but there are no users, and behind a proxy every request would look local: add one with `relaywatch serve user add NAME --role admin` first.", withoutUsers.Error.Trim());
    }

    [Fact]
    public async Task ASessionAndTheAuditTrailSurviveAKilledServe()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(AdminPassword + "\n", "--data", data, "serve", "user", "add", "ana", "--role", "analyst")).ExitCode);
        var port = Loopback.FreePort();
        var origin = $"http://127.0.0.1:{port}";
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });

        await StartAsync(["--data", data, "serve", "--urls", origin]);
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(http, origin, "ana", AdminPassword)).StatusCode);
        var form = await FormTokenAsync(http, $"{origin}/ip/192.0.2.99");
        var labelled = await http.PostAsync(new Uri($"{origin}/ip/192.0.2.99/label"), new FormUrlEncodedContent(new Dictionary<string, string> { [form.Name] = form.Token, ["verdict"] = "good", ["note"] = "partner relay" }));
        Assert.Equal(HttpStatusCode.Redirect, labelled.StatusCode);
        var first = started[^1];
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();

        await StartAsync(["--data", data, "serve", "--urls", origin]);
        var again = await http.GetAsync(new Uri($"{origin}/ip/192.0.2.99"));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Matches(@"<td>ana</td><td>label_good</td><td>partner relay</td>", await again.Content.ReadAsStringAsync());
    }

    private static async Task<HttpResponseMessage> LogInAsync(HttpClient client, string origin, string user, string password)
    {
        var form = await FormTokenAsync(client, $"{origin}/login");
        return await client.PostAsync(new Uri($"{origin}/login"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [form.Name] = form.Token, ["user"] = user, ["password"] = password, ["returnUrl"] = "/",
        }));
    }

    /// <summary>The anti-forgery field of the first form on a page, and the label form's action if there is one.</summary>
    private static async Task<(string Name, string Token, string? Label)> FormTokenAsync(HttpClient client, string url)
    {
        var page = await client.GetStringAsync(new Uri(url));
        var field = HiddenToken().Match(page);
        Assert.True(field.Success, $"{url} has no anti-forgery field");
        var label = Regex.Match(page, "action=\"(/ip/[^\"]+/label)\"");
        return (field.Groups["name"].Value, WebUtility.HtmlDecode(field.Groups["value"].Value), label.Success ? label.Groups[1].Value : null);
    }

    private static HttpClient Client(X509Certificate2 certificate, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies,
            // Only the certificate this test made is accepted.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.Thumbprint == certificate.Thumbprint,
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    private X509Certificate2 MakeCertificate(out string certificatePath, out string keyPath)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        certificatePath = directory.Combine("console.pem");
        keyPath = directory.Combine("console.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    private async Task StartAsync(string[] arguments)
    {
        var serve = RelayWatchProcess.Start(arguments);
        started.Add(serve);
        if (await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on") is null)
        {
            Assert.Fail("serve ended before it was ready: " + await serve.StandardError.ReadToEndAsync());
        }
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken)\" value=\"(?<value>[^\"]+)\">")]
    private static partial Regex HiddenToken();

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"(?<header>[^\"]+)\">\\s*<meta name=\"csrf-token\" content=\"(?<token>[^\"]+)\">")]
    private static partial Regex AntiforgeryMeta();
}
