using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Reports.Tests.Support;

/// <summary>
/// Postfix's smtp-sink (Debian package postfix, installed when missing) on a loopback port, dumping
/// every message it receives into a folder: a real SMTP server for the mail tests.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process process;

    private SmtpSink(Process process, int port, string folder)
    {
        this.process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    public string Folder { get; }

    public static async Task<SmtpSink> StartAsync()
    {
        var tool = await DebianPackages.RequireAsync("smtp-sink", "postfix");
        var folder = Directory.CreateTempSubdirectory("relaywatch-smtp-sink-").FullName;
        // smtp-sink refuses to run as root without dropping to another user, who must be able to write the dumps.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        }
        var port = Loopback.FreePort();
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true };
        if (Environment.UserName == "root")
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("nobody");
        }

        foreach (var argument in new[] { "-d", Path.Combine(folder, "%H%M%S."), $"127.0.0.1:{port}", "10" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var sink = new SmtpSink(process, port, folder);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"smtp-sink exited at once: {await process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return sink;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        await sink.DisposeAsync();
        throw new InvalidOperationException($"smtp-sink did not listen on 127.0.0.1:{port} within 10 s.");
    }

    /// <summary>The dumped messages, waiting up to ten seconds for the first.</summary>
    public async Task<IReadOnlyList<string>> MessagesAsync()
    {
        for (var attempt = 0; attempt < 100 && !Directory.EnumerateFiles(Folder).Any(); attempt++)
        {
            await Task.Delay(100);
        }

        return [.. Directory.EnumerateFiles(Folder).Select(File.ReadAllText)];
    }

    public async ValueTask DisposeAsync()
    {
        await Loopback.StopAsync(process);
        Directory.Delete(Folder, recursive: true);
    }
}
