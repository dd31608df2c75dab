using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace RelayWatch.Tests.Shared;

/// <summary>
/// A real IMAP server: Debian's dovecot (package <c>dovecot-imapd</c>, installed when missing) with a configuration of
/// its own under a temporary folder, in the foreground as this test's child, on a free loopback port, clear text,
/// one user with a password from a passwd-file, Maildir mailboxes owned by <c>nobody</c> (dovecot refuses root as a
/// mail user). Messages are delivered with <c>doveadm save</c>, as a local delivery agent would. Stopped and removed on dispose.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class DovecotServer : IAsyncDisposable
{
    public const string User = "reports";
    public const string Password = "s3cret-for-tests";

    private readonly string folder;
    private readonly Process process;

    private DovecotServer(string folder, int port, Process process)
    {
        this.folder = folder;
        Port = port;
        this.process = process;
    }

    public int Port { get; }

    private string Config => Path.Combine(folder, "dovecot.conf");

    public static async Task<DovecotServer> StartAsync()
    {
        var dovecot = await DebianPackages.RequireAsync("dovecot", "dovecot-imapd");
        await DebianPackages.RequireAsync("doveadm", "dovecot-imapd");
        var folder = Loopback.ReadableFolder("relaywatch-dovecot-");
        var port = Loopback.FreePort();
        foreach (var sub in new[] { "mail", "home" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
            await RunAsync("chown", "nobody:nogroup", Path.Combine(folder, sub));
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "users"), $"{User}:{{PLAIN}}{Password}\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "dovecot.conf"), string.Create(CultureInfo.InvariantCulture, $$"""
            base_dir = {{folder}}/run
            state_dir = {{folder}}/state
            log_path = {{folder}}/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{{folder}}/mail/%u
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{folder}}/users
            }
            userdb {
              driver = static
              args = uid=nobody gid=nogroup home={{folder}}/home/%u
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{port}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            """));
        var start = new ProcessStartInfo(dovecot) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-F", "-c", Path.Combine(folder, "dovecot.conf") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var server = new DovecotServer(folder, port, process);
        await server.WaitUntilListeningAsync();
        return server;
    }

    /// <summary>Delivers a message file into <paramref name="mailbox"/> of the user, as a delivery agent would.</summary>
    public Task DeliverAsync(string messageFile, string mailbox = "INBOX") =>
        RunAsync("sh", "-c", "exec doveadm -c \"$1\" save -u \"$2\" -m \"$3\" < \"$4\"", "sh", Config, User, mailbox, messageFile);

    /// <summary>Creates a mailbox (a folder to move processed reports to).</summary>
    public Task CreateMailboxAsync(string mailbox) => RunAsync("doveadm", "-c", Config, "mailbox", "create", "-u", User, mailbox);

    /// <summary>How many messages a mailbox holds, and how many of them are unseen, as dovecot counts them.</summary>
    public async Task<(int Messages, int Unseen)> CountAsync(string mailbox = "INBOX")
    {
        var output = await RunAsync("doveadm", "-c", Config, "-f", "flow", "mailbox", "status", "-u", User, "messages unseen", mailbox);

        // e.g. "messages=3 unseen=1"
        var fields = System.Text.RegularExpressions.Regex.Matches(output, @"(\w+)=(\d+)")
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        if (!fields.ContainsKey("messages") || !fields.ContainsKey("unseen"))
        {
            throw new InvalidOperationException($"doveadm mailbox status said '{output.Trim()}', without messages and unseen.");
        }

        return (fields["messages"], fields["unseen"]);
    }

    public async ValueTask DisposeAsync()
    {
        await Loopback.StopAsync(process);
        Directory.Delete(folder, recursive: true);
    }

    private async Task WaitUntilListeningAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (process.HasExited)
            {
                var log = File.Exists(Path.Combine(folder, "dovecot.log")) ? await File.ReadAllTextAsync(Path.Combine(folder, "dovecot.log")) : string.Empty;
                throw new InvalidOperationException($"dovecot exited at start (exit {process.ExitCode}): {(await process.StandardError.ReadToEndAsync()).Trim()} {log.Trim()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port, patience.Token);
                return;
            }
            catch (SocketException)
            {
                // Not listening yet: a server's start-up, not a timed assertion; bounded by the minute above.
                await Task.Delay(50, patience.Token);
            }
        }
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {(await error).Trim()} {(await output).Trim()}");
        }

        return await output;
    }
}
