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
    private const string DefaultEndpoint = "127.0.0.1:5514";

    public static Command Create(GlobalOptions globals)
    {
        var udp = new Option<string?>("--udp") { Description = $"Receive syslog over UDP on ADDR:PORT (anyone can forge a UDP sender; prefer --tls) [default, when no endpoint is given: {DefaultEndpoint}]", HelpName = "ADDR:PORT" };
        var tcp = new Option<string?>("--tcp") { Description = $"Receive syslog over TCP on ADDR:PORT, octet-counted or newline-framed [default, when no endpoint is given: {DefaultEndpoint}]", HelpName = "ADDR:PORT" };
        var tls = new Option<string?>("--tls") { Description = "Receive syslog over TCP with TLS (RFC 5425) on ADDR:PORT, the recommended transport; needs --tls-cert", HelpName = "ADDR:PORT" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "The TLS server certificate: PEM (with its key, or the key in --tls-key) or PKCS#12 (.pfx, .p12) without a password [config: listen.tlsCertificate]", HelpName = "FILE" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The PEM private key of --tls-cert, when it is in a file of its own [config: listen.tlsKey]", HelpName = "FILE" };
        var tlsClientCa = new Option<string?>("--tls-client-ca") { Description = "Require TLS senders to present a client certificate issued by one of these PEM CA certificates [config: listen.tlsClientCa]", HelpName = "FILE" };
        var allow = new Option<string[]>("--allow")
        {
            Description = "Accept syslog from this address or network (repeatable); replaces the default [config: listen.allowedSenders; default: loopback and estate.relayAddresses]",
            HelpName = "ADDR|CIDR",
            AllowMultipleArgumentsPerToken = false,
        };
        var format = new Option<string>("--format") { Description = $"The format of the messages ({string.Join(", ", LogFormats.Names)})", HelpName = "FORMAT", DefaultValueFactory = _ => "postfix" };
        var relay = new Option<string?>("--relay") { Description = "The relay's name for every event [default: the host name in each message]", HelpName = "NAME" };
        var zone = new Option<string?>("--tz") { Description = "Time zone of timestamps without an offset [config: ingest.timeZone; default: UTC]", HelpName = "ZONE" };
        var command = new Command("listen", "Receive syslog from relays (RFC 3164 and 5424, over UDP, TCP and TLS) and ingest it until stopped; loopback and allowed senders only")
        {
            udp, tcp, tls, tlsCert, tlsKey, tlsClientCa, allow, format, relay, zone,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            storeOptions =>
            {
                var config = globals.LoadConfig(parse);
                var section = config.Listen;
                var listening = new SyslogListenerOptions
                {
                    Udp = Endpoint(parse.GetValue(udp), "--udp"),
                    Tcp = Endpoint(parse.GetValue(tcp), "--tcp"),
                    Tls = Endpoint(parse.GetValue(tls), "--tls"),
                    TlsCertificatePath = parse.GetValue(tlsCert) ?? section.TlsCertificate,
                    TlsKeyPath = parse.GetValue(tlsKey) ?? section.TlsKey,
                    TlsClientCaPath = parse.GetValue(tlsClientCa) ?? section.TlsClientCa,
                    AllowedSenders = AllowedSenders(parse.GetValue(allow), section, config.Estate.RelayAddresses),
                };
                if (listening.Udp is null && listening.Tcp is null && listening.Tls is null)
                {
                    (listening.Udp, listening.Tcp) = (IPEndPoint.Parse(DefaultEndpoint), IPEndPoint.Parse(DefaultEndpoint));
                }

                listening.MaxConnections = section.MaxConnections ?? listening.MaxConnections;
                listening.IdleTimeout = section.IdleTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : listening.IdleTimeout;
                listening.MaxQueuedBytes = section.QueueMegabytes is { } megabytes ? (long)megabytes << 20 : listening.MaxQueuedBytes;
                try
                {
                    listening.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

                var options = new IngestOptions
                {
                    Relay = parse.GetValue(relay),
                    TimeZone = IngestCommand.ParseZone(parse.GetValue(zone) ?? config.Ingest.TimeZone),
                    CorrelationHorizon = IngestCommand.Horizon(null, config.Ingest),
                    RetentionDays = storeOptions.EventRetentionDays,
                };
                var logFormat = LogFormats.Parse(parse.GetValue(format)!)
                    ?? throw new UsageException($"'{parse.GetValue(format)}' is not a log format RelayWatch reads; use one of {string.Join(", ", LogFormats.Names)}.");
                return (options, logFormat, listening);
            },
            (store, arguments, token) => ListenAsync(store, arguments.options, arguments.logFormat, arguments.listening, token),
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
                Console.Error.WriteLine($"Listening for syslog on {string.Join(" and ", new[] { u is null ? null : $"udp {u}", t is null ? null : $"tcp {t}", s is null ? null : $"tls {s}" }.OfType<string>())}; Ctrl+C stops."),
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

    /// <summary><c>--allow</c> when given, else <c>listen.allowedSenders</c>, else loopback and the relays of <c>estate.relayAddresses</c>.</summary>
    private static List<IPNetwork> AllowedSenders(string[]? allowed, ListenSection section, IReadOnlyList<string>? relayAddresses)
    {
        if (allowed is { Length: > 0 })
        {
            return [.. allowed.Select(a => Network(a, "--allow"))];
        }

        if (section.AllowedSenders is { } configured)
        {
            return [.. configured.Select(a => Network(a, "listen.allowedSenders"))];
        }

        return [.. SyslogListenerOptions.Loopback, .. (relayAddresses ?? []).Select(a => Network(a, "estate.relayAddresses"))];
    }

    /// <summary>A network in CIDR, or one address: four dotted decimals or IPv6, not whatever IPAddress would guess from "12".</summary>
    private static IPNetwork Network(string text, string setting)
    {
        var trimmed = text.Trim();
        var strict = trimmed.Contains(':', StringComparison.Ordinal) || trimmed.Split('.').Length == 4;
        return strict && IPNetwork.TryParse(trimmed, out var network) ? network
            : strict && IPAddress.TryParse(trimmed, out var address) ? new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : throw new UsageException($"'{text}' in {setting} is not an address or a network such as 192.0.2.10 or 192.0.2.0/28.");
    }

    private static IPEndPoint? Endpoint(string? text, string option) =>
        text is null ? null
        : IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 ? endpoint
        : throw new UsageException($"{option} {text} is not an address and port such as 127.0.0.1:5514 or [::1]:5514.");
}
