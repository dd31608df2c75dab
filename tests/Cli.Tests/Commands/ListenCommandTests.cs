using System.Net;
using System.Net.Sockets;
using System.Text;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Commands;

public sealed class ListenCommandTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public ListenCommandTests() =>
        File.WriteAllText(directory.Combine("relaywatch.json"), "{ \"store\": { \"eventRetentionDays\": 20000 } }");

    public void Dispose() => directory.Dispose();

    [CorpusFact]
    public async Task SyslogOverUdpAndBothTcpFramingsIsIngestedOverLoopback()
    {
        var port = Loopback.FreePort();
        var lines = RealLines().Take(900).Select(l => "<22>" + l).ToList();
        using var listening = RelayWatchProcess.Start(
            ["--data", directory.Combine("data"), "--config", directory.Combine("relaywatch.json"), "listen", "--udp", $"127.0.0.1:{port}", "--tcp", $"127.0.0.1:{port}"]);
        var announced = await RelayWatchProcess.ReadErrorLineStartingAsync(listening, "Listening for syslog");

        using (var udp = new UdpClient())
        {
            foreach (var line in lines[..300])
            {
                var bytes = Encoding.UTF8.GetBytes(line);
                await udp.SendAsync(bytes, new IPEndPoint(IPAddress.Loopback, port));
            }
        }

        using (var counted = new TcpClient())
        {
            await counted.ConnectAsync(IPAddress.Loopback, port);
            var frames = string.Concat(lines[300..600].Select(l => $"{Encoding.UTF8.GetByteCount(l)} {l}"));
            await counted.GetStream().WriteAsync(Encoding.UTF8.GetBytes(frames));
        }

        using (var newline = new TcpClient())
        {
            await newline.ConnectAsync(IPAddress.Loopback, port);
            await newline.GetStream().WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines[600..]) + "\n"));
        }

        // Give the receiver a moment to read its sockets before asking it to stop.
        await Task.Delay(1500);
        await RelayWatchProcess.SendSigtermAsync(listening);

        var output = await listening.StandardOutput.ReadToEndAsync();
        await listening.WaitForExitAsync();
        var stored = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "--config", directory.Combine("relaywatch.json"), "query",
            "SELECT (SELECT sum(line) FROM ingest_checkpoints FINAL), (SELECT sum(events) FROM ingest_checkpoints FINAL), count() FROM smtp_events");

        Assert.Equal($"Listening for syslog on udp 127.0.0.1:{port} and tcp 127.0.0.1:{port}; Ctrl+C stops.", announced);
        Assert.Equal(0, listening.ExitCode);
        Assert.Matches(@"syslog udp://127\.0\.0\.1:\d+ tcp://127\.0\.0\.1:\d+ +postfix +900 ", output);
        var fields = stored.Output.TrimEnd('\n').Split('\t');
        Assert.Equal("900", fields[0]);
        Assert.Equal(fields[1], fields[2]);
        Assert.NotEqual("0", fields[2]);
    }

    [Fact]
    public async Task ABadEndpointIsBadUsage()
    {
        var result = await RelayWatchProcess.RunAsync("--data", directory.Combine("data"), "listen", "--udp", "localhost");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("relaywatch: --udp localhost is not an address and port such as 127.0.0.1:5514 or [::1]:5514.\n", result.Error);
    }

    private static IEnumerable<string> RealLines() =>
        File.ReadLines(Path.Combine(RepositoryFolders.Corpora, "pixelpark-postfix-logsums", "mail.log"));
}
