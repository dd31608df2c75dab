using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RelayWatch.Tests.Shared;

/// <summary>For the tests that start a real server on loopback: a port to give it, and a bounded stop.</summary>
internal static class Loopback
{
    /// <summary>A TCP port on 127.0.0.1 that nothing listened on a moment ago (the system picked it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A UDP port on 127.0.0.1 that nothing was bound to a moment ago (for rbldnsd, say).</summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A temporary folder others may read: a server run as root (rbldnsd) reads its files as its own user.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string ReadableFolder(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix);
        File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return folder.FullName;
    }

    /// <summary>
    /// Kills a server the test started, with its children, and waits at most ten seconds: waiting for the
    /// exit also waits for redirected streams, which a stuck child could hold open. The test's result
    /// stands either way.
    /// </summary>
    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed; nothing more to wait for.
            }
        }

        process.Dispose();
    }
}
