using System.Net;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>User and token changes made with <c>relaywatch serve user|token</c> reach the audit trail through serve, once each.</summary>
public sealed class UsersAuditTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();
    private readonly List<System.Diagnostics.Process> started = [];

    public void Dispose()
    {
        foreach (var process in started)
        {
            RelayWatchProcess.StopAsync(process).GetAwaiter().GetResult();
        }

        directory.Dispose();
    }

    [Fact]
    public async Task CommandLineUserAndTokenChangesJoinTheAuditTrailOnceEach()
    {
        var data = directory.Combine("data");
        await RunAsync("correct horse battery\n", "serve", "user", "add", "ana", "--role", "analyst");
        await RunAsync("another long password\n", "serve", "user", "add", "ana", "--role", "admin");
        await RunAsync(null, "serve", "token", "add", "mx1");

        await ServeOnceAsync(data);
        await RunAsync(null, "serve", "token", "remove", "mx1");
        await ServeOnceAsync(data);
        var trail = await RunAsync(null, "query", "SELECT actor, role, action, subject, note, remote FROM console_audit WHERE remote = 'command line' ORDER BY at");

        var me = "cli:" + Environment.UserName;
        Assert.Equal(
            $"{me}\t\tuser_added\tana\trole analyst\tcommand line\n"
            + $"{me}\t\tuser_changed\tana\trole admin\tcommand line\n"
            + $"{me}\t\ttoken_added\tmx1\t\tcommand line\n"
            + $"{me}\t\ttoken_removed\tmx1\t\tcommand line\n",
            trail);
    }

    /// <summary>Starts serve (which copies the changes), makes it serve a request, and stops it.</summary>
    private async Task ServeOnceAsync(string data)
    {
        var port = Loopback.FreePort();
        var serve = RelayWatchProcess.Start(["--data", data, "serve", "--urls", $"http://127.0.0.1:{port}"]);
        started.Add(serve);
        Assert.NotNull(await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on"));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/login"))).StatusCode);
        await RelayWatchProcess.SendSigtermAsync(serve);
        await serve.WaitForExitAsync();
        Assert.Equal(0, serve.ExitCode);
    }

    private async Task<string> RunAsync(string? input, params string[] arguments)
    {
        var result = await RelayWatchProcess.RunWithInputAsync(input, ["--data", directory.Combine("data"), .. arguments]);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output;
    }
}
