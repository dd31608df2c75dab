using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>
/// The login limit against the real serve process: failures for one name, then from one address, are
/// refused with 429 for a while, each refusal's first occurrence is in the audit trail, and another name's
/// correct login is not blocked by someone else's failures.
/// </summary>
public sealed partial class LoginThrottleTests : IDisposable
{
    private const string AnaPassword = "correct horse battery";
    private const string VicPassword = "viewer password 42";

    private readonly TemporaryDirectory directory = new();
    private Process? serve;

    public void Dispose()
    {
        if (serve is not null)
        {
            RelayWatchProcess.StopAsync(serve).GetAwaiter().GetResult();
        }

        directory.Dispose();
    }

    [Fact]
    public async Task FailedLoginsForANameThenFromAnAddressAreRefusedAndAudited()
    {
        var data = directory.Combine("data");
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(AnaPassword + "\n", "--data", data, "serve", "user", "add", "ana", "--role", "admin")).ExitCode);
        Assert.Equal(0, (await RelayWatchProcess.RunWithInputAsync(VicPassword + "\n", "--data", data, "serve", "user", "add", "vic", "--role", "viewer")).ExitCode);
        var port = Loopback.FreePort();
        var origin = $"http://127.0.0.1:{port}";
        serve = RelayWatchProcess.Start(["--data", data, "serve", "--urls", origin]);
        Assert.NotNull(await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on"));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });

        // Someone guesses at ana's password: each wrong guess is refused as usual, up to the limit.
        for (var i = 0; i < Cli.Serve.LoginThrottle.FailuresPerName; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(http, origin, "ana", $"guess {i}")).Response.StatusCode);
        }

        // Now even the right password is refused, for any spelling of the name, with when to come back.
        var refused = await LogInAsync(http, origin, "ana", AnaPassword);
        var otherCase = await LogInAsync(http, origin, "ANA", AnaPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Response.StatusCode);
        Assert.Contains("Too many failed logins for this user name: try again after", refused.Page, StringComparison.Ordinal);
        Assert.True(refused.Response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After on the refusal");
        Assert.Equal(HttpStatusCode.TooManyRequests, otherCase.Response.StatusCode);

        // vic, from the same address, is not blocked by the failures for ana.
        Assert.Equal(HttpStatusCode.Redirect, (await LogInAsync(http, origin, "vic", VicPassword)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"{origin}/"))).StatusCode);

        // Failures under many invented names from one address reach the address's limit: then vic is refused too.
        for (var i = Cli.Serve.LoginThrottle.FailuresPerName; i < Cli.Serve.LoginThrottle.FailuresPerAddress; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(http, origin, $"nobody{i}", "wrong")).Response.StatusCode);
        }

        var fromAddress = await LogInAsync(http, origin, "vic", VicPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, fromAddress.Response.StatusCode);
        Assert.Contains("Too many failed logins for this address", fromAddress.Page, StringComparison.Ordinal);

        await RelayWatchProcess.StopAsync(serve);
        serve = null;
        var audit = await RelayWatchProcess.RunAsync("--data", data, "query", "SELECT actor, action, note FROM console_audit WHERE action IN ('login_failed', 'login_refused') ORDER BY at", "--format", "tsv");
        Assert.True(audit.ExitCode == 0, audit.Error);
        var rows = audit.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToList();
        // Every failure, and the first refusal of each window (ana's name, then the address), not every refused attempt.
        Assert.Equal(Cli.Serve.LoginThrottle.FailuresPerAddress, rows.Count(r => r[1] == "login_failed"));
        var refusals = rows.Where(r => r[1] == "login_refused").ToList();
        Assert.Equal(2, refusals.Count);
        Assert.Equal("ana", refusals[0][0]);
        Assert.Matches(@"^too many failed logins for this user name; refused until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$", refusals[0][2]);
        Assert.Equal("vic", refusals[1][0]);
        Assert.StartsWith("too many failed logins for this address;", refusals[1][2], StringComparison.Ordinal);
    }

    [Fact]
    public void FailuresSlowThenRefuseAndTheRefusalLiftsWhenItsWindowEnds()
    {
        var clock = new SteppingClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var throttle = new Cli.Serve.LoginThrottle(clock);

        var slowed = Enumerable.Range(0, Cli.Serve.LoginThrottle.FailuresPerName).Select(_ => throttle.Fail("ana", "192.0.2.1")).ToList();
        clock.Now += TimeSpan.FromMinutes(14);
        var first = throttle.Check("ana", "192.0.2.2");
        var second = throttle.Check("Ana", "192.0.2.3");
        var otherName = throttle.Check("vic", "192.0.2.1");
        clock.Now += TimeSpan.FromMinutes(1);
        var afterWindow = throttle.Check("ana", "192.0.2.1");

        Assert.Equal([false, false, true, true, true], slowed);
        Assert.NotNull(first);
        Assert.Equal(("this user name", new DateTimeOffset(2026, 12, 7, 9, 15, 0, TimeSpan.Zero), true), (first.For, first.Until, first.First));
        Assert.False(second!.First);
        Assert.Null(otherName);
        Assert.Null(afterWindow);
    }

    [Fact]
    public void AnAddressIsRefusedAfterItsFailuresUnderManyNamesAndOnlyThatAddress()
    {
        var clock = new SteppingClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var throttle = new Cli.Serve.LoginThrottle(clock);

        for (var i = 0; i < Cli.Serve.LoginThrottle.FailuresPerAddress - 1; i++)
        {
            throttle.Fail($"name{i}", "2001:db8::7");
        }

        var belowLimit = throttle.Check("vic", "2001:db8::7");
        throttle.Fail("one more", "2001:db8::7");

        Assert.Null(belowLimit);
        Assert.Equal("this address", throttle.Check("vic", "2001:db8::7")?.For);
        Assert.Null(throttle.Check("vic", "2001:db8::8"));
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task<(HttpResponseMessage Response, string Page)> LogInAsync(HttpClient client, string origin, string user, string password)
    {
        var page = await client.GetStringAsync(new Uri($"{origin}/login"));
        var field = HiddenToken().Match(page);
        Assert.True(field.Success, "the login page has no anti-forgery field");
        var response = await client.PostAsync(new Uri($"{origin}/login"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [field.Groups["name"].Value] = WebUtility.HtmlDecode(field.Groups["value"].Value), ["user"] = user, ["password"] = password, ["returnUrl"] = "/",
        }));
        return (response, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken)\" value=\"(?<value>[^\"]+)\">")]
    private static partial Regex HiddenToken();
}
