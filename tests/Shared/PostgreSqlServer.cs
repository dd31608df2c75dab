using System.Diagnostics;
using System.Globalization;

namespace RelayWatch.Tests.Shared;

/// <summary>
/// A real PostgreSQL server from Debian's package (installed when missing), in a cluster of its own
/// under a temporary folder, on a free loopback port with trust authentication, stopped and removed on
/// dispose. Run as root, the server runs as Debian's <c>postgres</c> user, as PostgreSQL refuses root.
/// </summary>
internal sealed class PostgreSqlServer : IAsyncDisposable
{
    private readonly string folder;
    private readonly string binaries;
    private readonly bool asPostgresUser;

    private PostgreSqlServer(string folder, string binaries, int port, bool asPostgresUser)
    {
        this.folder = folder;
        this.binaries = binaries;
        this.asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string for <paramref name="database"/> as the cluster's superuser.</summary>
    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={SuperUser};Database={database}");

    private string SuperUser => asPostgresUser ? "postgres" : Environment.UserName;

    public static async Task<PostgreSqlServer> StartAsync()
    {
        await DebianPackages.RequirePackageAsync("postgresql");
        var binaries = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidOperationException("Debian's postgresql package is installed but no /usr/lib/postgresql/*/bin/initdb was found.");
        var asPostgresUser = Environment.UserName == "root";
        var folder = Path.Combine(Path.GetTempPath(), "relaywatch-postgres-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (asPostgresUser)
        {
            await RunAsync("chown", "postgres:postgres", folder);
        }

        var server = new PostgreSqlServer(folder, binaries, Loopback.FreePort(), asPostgresUser);
        await server.RunToolAsync("initdb", "-D", Path.Combine(folder, "data"), "-A", "trust", "-U", server.SuperUser, "--no-sync");
        await server.RunToolAsync("pg_ctl", "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "server.log"), "-w", "start",
            "-o", string.Create(CultureInfo.InvariantCulture, $"-p {server.Port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off"));
        return server;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await RunToolAsync("createdb", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", SuperUser, name);
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunToolAsync("pg_ctl", "-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private Task RunToolAsync(string tool, params string[] arguments) =>
        asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(binaries, tool), .. arguments])
            : RunAsync(Path.Combine(binaries, tool), arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
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
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {(await error).Trim()} {(await output).Trim()}");
        }
    }
}
