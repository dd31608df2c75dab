using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using RelayWatch.Cli.Configuration;
using RelayWatch.Cli.Output;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Ingest.Sources;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch listen</c>: a syslog receiver that ingests what relays send it.</summary>
internal static class ListenCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var arguments = new ListenArguments();
        var command = new Command("listen", "Receive syslog from relays (RFC 3164 and 5424, over UDP, TCP and TLS) and ingest it until stopped; loopback and allowed senders only");
        arguments.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            storeOptions => arguments.Resolve(parse, globals.LoadConfig(parse), storeOptions),
            (store, setup, token) => ListenAsync(store, setup.Ingest, setup.Format, setup.Listening, token),
            cancellationToken));
        return command;
    }

    private static async Task<int> ListenAsync(IClickHouseStore store, IngestOptions options, LogFormat format, SyslogListenerOptions listening, CancellationToken cancellationToken)
    {
        var runner = new IngestRunner(store, options, TimeProvider.System, CommandRunner.Loggers.CreateLogger("listen"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        FileSummary summary;
        try
        {
            summary = await runner.ListenAsync(listening, format, (u, t, s) =>
                Console.Error.WriteLine($"Listening for syslog on {ListenArguments.Describe(u, t, s)}; Ctrl+C stops."),
                cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new UsageException($"Cannot listen on {listening.Tls ?? listening.Tcp ?? listening.Udp}: {e.Message.TrimEnd('.')}.");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        Console.Write(IngestReport.Format([summary], stopwatch.Elapsed));
        if (summary.Problem is not null)
        {
            await Console.Error.WriteLineAsync($"relaywatch: {char.ToUpperInvariant(summary.Problem[0])}{summary.Problem[1..]}.").ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
