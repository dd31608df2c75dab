using System.Diagnostics;
using System.Globalization;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Store.Tests.Support;

/// <summary>
/// Debian's own ClickHouse server (package clickhouse-server, installed when missing) on loopback
/// ports, with one user whose password the test knows. Debian ships release 18.16, far older than
/// anything RelayWatch can use, so it proves how we meet a real server's refusals, not our SQL.
/// </summary>
public sealed class DebianClickHouseServer : IAsyncDisposable
{
    public const string User = "analyst";
    public const string Password = "right-secret";

    private readonly Process process;
    private readonly string folder;

    private DebianClickHouseServer(Process process, string folder, int httpPort)
    {
        this.process = process;
        this.folder = folder;
        HttpPort = httpPort;
    }

    public int HttpPort { get; }

    public string ConnectionString(string password) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={HttpPort};Username={User};Password={password}");

    public static async Task<DebianClickHouseServer> StartAsync()
    {
        var server = await DebianPackages.RequireAsync("clickhouse-server", "clickhouse-server");
        var folder = Directory.CreateTempSubdirectory("relaywatch-clickhouse-server-").FullName;
        var httpPort = Loopback.FreePort();
        var tcpPort = Loopback.FreePort();
        File.WriteAllText(Path.Combine(folder, "users.xml"), $"""
            <?xml version="1.0"?>
            <yandex>
              <profiles><default/></profiles>
              <quotas><default/></quotas>
              <users>
                <{User}>
                  <password>{Password}</password>
                  <networks><ip>127.0.0.1</ip></networks>
                  <profile>default</profile>
                  <quota>default</quota>
                </{User}>
              </users>
            </yandex>
            """);
        File.WriteAllText(Path.Combine(folder, "config.xml"), $"""
            <?xml version="1.0"?>
            <yandex>
              <logger><level>warning</level><console>1</console></logger>
              <http_port>{httpPort}</http_port>
              <tcp_port>{tcpPort}</tcp_port>
              <listen_host>127.0.0.1</listen_host>
              <path>{folder}/data/</path>
              <tmp_path>{folder}/tmp/</tmp_path>
              <user_files_path>{folder}/user_files/</user_files_path>
              <users_config>{folder}/users.xml</users_config>
              <default_profile>default</default_profile>
              <default_database>default</default_database>
              <mark_cache_size>67108864</mark_cache_size>
            </yandex>
            """);

        var start = new ProcessStartInfo(server) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--config-file={Path.Combine(folder, "config.xml")}");
        var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var running = new DebianClickHouseServer(process, folder, httpPort);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300 && !process.HasExited; attempt++)
        {
            try
            {
                if ((await http.GetStringAsync(new Uri($"http://127.0.0.1:{httpPort}/ping"))).StartsWith("Ok.", StringComparison.Ordinal))
                {
                    return running;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await running.DisposeAsync();
        lock (output)
        {
            throw new InvalidOperationException($"clickhouse-server did not answer on 127.0.0.1:{httpPort} within 30 s: {output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Loopback.StopAsync(process);
        Directory.Delete(folder, recursive: true);
    }
}
