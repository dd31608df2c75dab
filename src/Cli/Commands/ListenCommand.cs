using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using RelayWatch.Cli.Output;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch listen</c>: a syslog receiver that ingests what relays send it.</summary>
internal static class ListenCommand
{
    private const string DefaultEndpoint = "127.0.0.1:5514";

    public static Command Create(GlobalOptions globals)
    {
        var udp = new Option<string?>("--udp") { Description = $"Receive syslog over UDP on ADDR:PORT [default, when neither is given: {DefaultEndpoint}]", HelpName = "ADDR:PORT" };
        var tcp = new Option<string?>("--tcp") { Description = $"Receive syslog over TCP on ADDR:PORT, octet-counted or newline-framed [default, when neither is given: {DefaultEndpoint}]", HelpName = "ADDR:PORT" };
        var format = new Option<string>("--format") { Description = $"The format of the messages ({string.Join(", ", LogFormats.Names)})", HelpName = "FORMAT", DefaultValueFactory = _ => "postfix" };
        var relay = new Option<string?>("--relay") { Description = "The relay's name for every event [default: the host name in each message]", HelpName = "NAME" };
        var zone = new Option<string?>("--tz") { Description = "Time zone of timestamps without an offset [default: UTC]", HelpName = "ZONE" };
        var command = new Command("listen", "Receive syslog from relays (RFC 3164 and 5424, UDP and TCP) and ingest it until stopped; loopback unless told otherwise")
        {
            udp, tcp, format, relay, zone,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            storeOptions =>
            {
                var (udpEndpoint, tcpEndpoint) = (Endpoint(parse.GetValue(udp), "--udp"), Endpoint(parse.GetValue(tcp), "--tcp"));
                if (udpEndpoint is null && tcpEndpoint is null)
                {
                    (udpEndpoint, tcpEndpoint) = (IPEndPoint.Parse(DefaultEndpoint), IPEndPoint.Parse(DefaultEndpoint));
                }

                var options = new IngestOptions
                {
                    Relay = parse.GetValue(relay),
                    TimeZone = IngestCommand.ParseZone(parse.GetValue(zone)),
                    RetentionDays = storeOptions.EventRetentionDays,
                };
                var logFormat = LogFormats.Parse(parse.GetValue(format)!)
                    ?? throw new UsageException($"'{parse.GetValue(format)}' is not a log format RelayWatch reads; use one of {string.Join(", ", LogFormats.Names)}.");
                return (options, logFormat, udpEndpoint, tcpEndpoint);
            },
            (store, arguments, token) => ListenAsync(store, arguments.options, arguments.logFormat, arguments.udpEndpoint, arguments.tcpEndpoint, token),
            cancellationToken));
        return command;
    }

    private static async Task<int> ListenAsync(IClickHouseStore store, IngestOptions options, LogFormat format, IPEndPoint? udp, IPEndPoint? tcp, CancellationToken cancellationToken)
    {
        var runner = new IngestRunner(store, options, TimeProvider.System, CommandRunner.Loggers.CreateLogger("listen"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        FileSummary summary;
        try
        {
            summary = await runner.ListenAsync(udp, tcp, format, (u, t) =>
                Console.Error.WriteLine($"Listening for syslog on {string.Join(" and ", new[] { u is null ? null : $"udp {u}", t is null ? null : $"tcp {t}" }.OfType<string>())}; Ctrl+C stops."),
                cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new UsageException($"Cannot listen on {tcp ?? udp}: {e.Message.TrimEnd('.')}.");
        }

        Console.Write(IngestReport.Format([summary], stopwatch.Elapsed));
        if (summary.Problem is not null)
        {
            await Console.Error.WriteLineAsync($"relaywatch: {char.ToUpperInvariant(summary.Problem[0])}{summary.Problem[1..]}.").ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static IPEndPoint? Endpoint(string? text, string option) =>
        text is null ? null
        : IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 ? endpoint
        : throw new UsageException($"{option} {text} is not an address and port such as 127.0.0.1:5514 or [::1]:5514.");
}
