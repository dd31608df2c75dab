using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Playwright;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>
/// One serve (simulated estate plus a hostile session, one admin user) and one headless Debian chromium,
/// driven by Playwright through its executable-path option: Playwright downloads no browser. chromium is
/// installed with apt-get when missing.
/// </summary>
public sealed class ConsoleBrowserFixture : IAsyncLifetime
{
    public const string User = "ana";
    public const string Password = "correct horse battery";

    // Made up for these tests: a session whose HELO is markup and a right-to-left override.
    public const string HostileLog =
        "2026-11-24T09:00:00.000000+00:00 mx9 postfix/smtpd[4242]: connect from unknown[198.51.100.66]\n"
        + "2026-11-24T09:00:01.000000+00:00 mx9 postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[198.51.100.66]: 550 5.1.1 <nobody@ours.example>: Recipient address rejected: User unknown in relay recipient table; from=<x@evil.example> to=<nobody@ours.example> proto=ESMTP helo=<<script>alert(1)</script>\u202Eexe.gpj>\n"
        + "2026-11-24T09:00:02.000000+00:00 mx9 postfix/smtpd[4242]: disconnect from unknown[198.51.100.66] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n";

    private readonly TemporaryDirectory directory = new();
    private readonly ConcurrentQueue<string> serveOutput = new();
    private Process? serve;
    private IPlaywright? playwright;

    public string Origin { get; private set; } = string.Empty;

    public string Data => directory.Combine("data");

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The last lines serve wrote after it was ready (both streams are read throughout, so serve never blocks on a full pipe).</summary>
    public string ServeOutput => serveOutput.IsEmpty ? "(nothing)" : string.Join('\n', serveOutput.TakeLast(60));

    /// <summary>Where each page's screenshot goes: beside the test binaries, kept after the run.</summary>
    public string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = await DebianPackages.RequireAsync("chromium", "chromium");
        Directory.CreateDirectory(Screenshots);
        var hostile = directory.Combine("hostile.log");
        await File.WriteAllTextAsync(hostile, HostileLog);
        var ingest = await RelayWatchProcess.RunAsync("--data", Data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"), hostile);
        Assert.True(ingest.ExitCode == 0, ingest.Error);
        var detect = await RelayWatchProcess.RunAsync("--data", Data, "detect", "--day", "2026-11-24");
        Assert.True(detect.ExitCode == 0, detect.Error);
        // An entry the impact check held back (the simulated estate has none of its own).
        var review = await RelayWatchProcess.RunAsync("--data", Data, "query",
            "INSERT INTO blocklist_changes (subject, action, reason, sources, severity, listed_at, expires_at, changed_by, changed_at) VALUES "
            + "('203.0.113.77', 'review', 'dha: held, it also delivered mail to our users', ['dha'], 'high', now64(3), now64(3) + INTERVAL 7 DAY, 'blocklist', now64(3))");
        Assert.True(review.ExitCode == 0, review.Error);
        var user = await RelayWatchProcess.RunWithInputAsync(Password + "\n", "--data", Data, "serve", "user", "add", User, "--role", "analyst");
        Assert.True(user.ExitCode == 0, user.Error);

        var port = Loopback.FreePort();
        serve = RelayWatchProcess.Start(["--data", Data, "serve", "--urls", $"http://127.0.0.1:{port}"]);
        if (await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on") is null)
        {
            Assert.Fail("serve ended before it was ready: " + await serve.StandardError.ReadToEndAsync());
        }

        _ = KeepAsync(serve.StandardError);
        _ = KeepAsync(serve.StandardOutput);
        Origin = $"http://127.0.0.1:{port}";
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
    }

    private async Task KeepAsync(StreamReader stream)
    {
        while (await stream.ReadLineAsync() is { } line)
        {
            serveOutput.Enqueue(line);
        }
    }

    /// <summary>Stops serve (so the store is free for the command line) and the browser.</summary>
    public async Task StopServeAsync()
    {
        if (serve is not null)
        {
            await RelayWatchProcess.StopAsync(serve);
            serve = null;
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        await StopServeAsync();
        directory.Dispose();
    }
}
