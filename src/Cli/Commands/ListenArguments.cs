using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using RelayWatch.Cli.Configuration;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Sources;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary>What a syslog listener runs with: where it listens and whom it hears, and how it reads what it hears.</summary>
internal sealed record ListenSetup(SyslogListenerOptions Listening, IngestOptions Ingest, LogFormat Format);

/// <summary>
/// The syslog listener's options and their resolution against the configuration's <c>listen.*</c> and
/// <c>ingest.*</c>, shared by <c>relaywatch listen</c> and <c>relaywatch serve --listen</c>, so that both
/// accept the same options and read the same settings.
/// </summary>
internal sealed class ListenArguments
{
    internal const string DefaultEndpoint = "127.0.0.1:5514";

    private readonly Option<string?> udp = new("--udp") { Description = $"Receive syslog over UDP on ADDR:PORT (anyone can forge a UDP sender; prefer --tls) [default, when no endpoint is given: {DefaultEndpoint}]", HelpName = "ADDR:PORT" };
    private readonly Option<string?> tcp = new("--tcp") { Description = $"Receive syslog over TCP on ADDR:PORT, octet-counted or newline-framed [default, when no endpoint is given: {DefaultEndpoint}]", HelpName = "ADDR:PORT" };
    private readonly Option<string?> tls = new("--tls") { Description = "Receive syslog over TCP with TLS (RFC 5425) on ADDR:PORT, the recommended transport; needs --tls-cert", HelpName = "ADDR:PORT" };
    private readonly Option<string?> tlsCert = new("--tls-cert") { Description = "The syslog TLS server certificate: PEM (with its key, or the key in --tls-key) or PKCS#12 (.pfx, .p12) without a password [config: listen.tlsCertificate]", HelpName = "FILE" };
    private readonly Option<string?> tlsKey = new("--tls-key") { Description = "The PEM private key of --tls-cert, when it is in a file of its own [config: listen.tlsKey]", HelpName = "FILE" };
    private readonly Option<string?> tlsClientCa = new("--tls-client-ca") { Description = "Require TLS senders to present a client certificate issued by one of these PEM CA certificates [config: listen.tlsClientCa]", HelpName = "FILE" };
    private readonly Option<string[]> allow = new("--allow")
    {
        Description = "Accept syslog from this address or network (repeatable); replaces the default [config: listen.allowedSenders; default: loopback and estate.relayAddresses]",
        HelpName = "ADDR|CIDR",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> format = new("--format") { Description = $"The format of the syslog messages ({string.Join(", ", LogFormats.Names)}) [default: postfix]", HelpName = "FORMAT" };
    private readonly Option<string?> relay = new("--relay") { Description = "The relay's name for every syslog event [default: the host name in each message]", HelpName = "NAME" };
    private readonly Option<string?> zone = new("--tz") { Description = "Time zone of syslog timestamps without an offset [config: ingest.timeZone; default: UTC]", HelpName = "ZONE" };

    private IEnumerable<Option> All => [udp, tcp, tls, tlsCert, tlsKey, tlsClientCa, allow, format, relay, zone];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The first of these options the command line gives, for "--tcp needs --listen"; null when none is given.</summary>
    public string? FirstGiven(ParseResult parse) => All.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;

    /// <summary>The options given, else the configuration, else the defaults (UDP and TCP on <see cref="DefaultEndpoint"/>, loopback senders).</summary>
    /// <exception cref="UsageException">An option or setting is not valid; the message says which and why.</exception>
    public ListenSetup Resolve(ParseResult parse, ConfigFile config, StoreOptions storeOptions)
    {
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
        var name = parse.GetValue(format) ?? "postfix";
        var logFormat = LogFormats.Parse(name)
            ?? throw new UsageException($"'{name}' is not a log format RelayWatch reads; use one of {string.Join(", ", LogFormats.Names)}.");
        return new ListenSetup(listening, options, logFormat);
    }

    /// <summary>"udp 127.0.0.1:5514 and tcp 127.0.0.1:5514", as the start-up lines say where the listener listens.</summary>
    public static string Describe(IPEndPoint? udp, IPEndPoint? tcp, IPEndPoint? tls) =>
        string.Join(" and ", new[] { udp is null ? null : $"udp {udp}", tcp is null ? null : $"tcp {tcp}", tls is null ? null : $"tls {tls}" }.OfType<string>());

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
