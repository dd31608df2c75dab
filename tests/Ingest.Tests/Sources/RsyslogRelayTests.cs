using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest.Sources;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Sources;

/// <summary>
/// The listener with the client relays really run: Debian's rsyslog forwarding a mail log over TLS
/// (RFC 5425, octet-counted, its GnuTLS driver, a client certificate), not .NET's own TLS client
/// talking to .NET's own server.
/// </summary>
public sealed class RsyslogRelayTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string folder = Directory.CreateTempSubdirectory("relaywatch-rsyslog-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // rsyslog may still be writing its state file as it stops.
        }
    }

    [Fact]
    public async Task RsyslogForwardsAMailLogOverTlsWithItsClientCertificate()
    {
        var pki = TestPki.Create(folder);
        await using var listener = StartListener(pki, idle: TimeSpan.FromMinutes(2));
        await using var rsyslog = await Rsyslog.StartAsync(folder, listener.TlsEndpoint!, pki);

        string[] lines =
        [
            "postfix/smtpd[4242]: connect from unknown[192.0.2.10]",
            "postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[192.0.2.10]: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table; from=<> to=<nobody@example.org> proto=ESMTP helo=<x>",
            "postfix/smtpd[4242]: disconnect from unknown[192.0.2.10] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
        ];
        rsyslog.Log(lines);

        foreach (var line in lines)
        {
            Assert.EndsWith(line, await NextAsync(listener));
        }

        Assert.Equal(0, listener.Drops.Total);
    }

    [Fact]
    public async Task ARelayQuietForLongerThanTheIdleTimeoutLosesNothingWhenItSpeaksAgain()
    {
        // rsyslog keeps its connection open between messages and learns that the other end closed it only
        // when a write fails, after that write's message is gone: a listener that closes quiet connections
        // loses the first message after every quiet spell of an honest relay.
        var pki = TestPki.Create(folder);
        var idle = TimeSpan.FromSeconds(2);
        await using var listener = StartListener(pki, idle);
        await using var rsyslog = await Rsyslog.StartAsync(folder, listener.TlsEndpoint!, pki);

        rsyslog.Log(["postfix/smtpd[1]: connect from mx.example.net[198.51.100.7]"]);
        Assert.Contains("198.51.100.7", await NextAsync(listener));

        await Task.Delay(idle * 3);
        string[] afterTheQuiet =
        [
            "postfix/smtpd[1]: disconnect from mx.example.net[198.51.100.7] ehlo=1 quit=1 commands=2",
            "postfix/smtpd[2]: connect from mx.example.net[198.51.100.8]",
        ];
        rsyslog.Log(afterTheQuiet);

        foreach (var line in afterTheQuiet)
        {
            Assert.EndsWith(line, await NextAsync(listener));
        }
    }

    private static SyslogListener StartListener(TestPki pki, TimeSpan idle) =>
        SyslogListener.Start(
            new SyslogListenerOptions
            {
                Tls = new IPEndPoint(IPAddress.Loopback, 0),
                TlsCertificatePath = pki.ServerCertificate,
                TlsKeyPath = pki.ServerKey,
                TlsClientCaPath = pki.Authority,
                IdleTimeout = idle,
            },
            NullLogger.Instance);

    private static async Task<string> NextAsync(SyslogListener listener)
    {
        using var patience = new CancellationTokenSource(Patience);
        try
        {
            return await listener.Messages.ReadAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No message from rsyslog within {Patience.TotalSeconds} s; drops: {listener.Drops.Total}.");
        }
    }

    /// <summary>A certificate authority, the listener's certificate from it, and a relay's client certificate from it, as PEM files.</summary>
    private sealed record TestPki(string Authority, string ServerCertificate, string ServerKey, string ClientCertificate, string ClientKey)
    {
        public static TestPki Create(string folder)
        {
            using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var authorityRequest = new CertificateRequest("CN=RelayWatch test relays CA", authorityKey, HashAlgorithmName.SHA256);
            authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
            authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, critical: false));
            // The authority outlives its certificates: a leaf may not end after its issuer.
            using var authority = authorityRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));

            var (server, serverKey) = Issue(authority, "localhost", serverAuth: true);
            var (client, clientKey) = Issue(authority, "mx1.relays.example", serverAuth: false);
            return new TestPki(
                Write(folder, "ca.pem", authority.ExportCertificatePem()),
                Write(folder, "server.pem", server),
                Write(folder, "server.key", serverKey),
                Write(folder, "client.pem", client),
                Write(folder, "client.key", clientKey));
        }

        private static (string Certificate, string Key) Issue(X509Certificate2 authority, string name, bool serverAuth)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(name);
            if (serverAuth)
            {
                names.AddIpAddress(IPAddress.Loopback);
            }

            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
            using var certificate = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(12));
            return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
        }

        private static string Write(string folder, string name, string pem)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, pem);
            return path;
        }
    }

    /// <summary>
    /// rsyslogd in the foreground with a configuration of its own: it follows a file (imfile) as the mail
    /// log and forwards each new line to the listener over TLS, as a relay's syslog daemon would.
    /// </summary>
    private sealed class Rsyslog : IAsyncDisposable
    {
        private readonly Process process;
        private readonly string mailLog;

        private Rsyslog(Process process, string mailLog) => (this.process, this.mailLog) = (process, mailLog);

        public static async Task<Rsyslog> StartAsync(string folder, IPEndPoint listener, TestPki pki)
        {
            var rsyslogd = await DebianPackages.RequireAsync("rsyslogd", "rsyslog");
            await DebianPackages.RequirePackageAsync("rsyslog-gnutls");
            var work = Directory.CreateDirectory(Path.Combine(folder, "work")).FullName;
            var mailLog = Path.Combine(folder, "mail.log");
            File.WriteAllText(mailLog, string.Empty);
            var configuration = Path.Combine(folder, "rsyslog.conf");
            File.WriteAllText(configuration, $$"""
                global(workDirectory="{{work}}"
                       defaultNetstreamDriverCAFile="{{pki.Authority}}"
                       defaultNetstreamDriverCertFile="{{pki.ClientCertificate}}"
                       defaultNetstreamDriverKeyFile="{{pki.ClientKey}}")
                module(load="imfile" mode="polling" pollingInterval="1")
                input(type="imfile" file="{{mailLog}}" tag="mailrelay" facility="mail" severity="info" ruleset="forward")
                template(name="asWritten" type="string" string="<%PRI%>%TIMESTAMP% mx1 %msg%\n")
                ruleset(name="forward") {
                  action(type="omfwd" target="{{listener.Address}}" port="{{listener.Port}}" protocol="tcp"
                         streamDriver="gtls" streamDriverMode="1" streamDriverAuthMode="x509/name"
                         streamDriverPermittedPeers="localhost" tcp_framing="octet-counted" template="asWritten"
                         action.resumeRetryCount="-1" action.resumeInterval="1")
                }
                """);
            var start = new ProcessStartInfo(rsyslogd) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "-n", "-f", configuration, "-i", Path.Combine(folder, "rsyslogd.pid") })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new Rsyslog(process, mailLog);
        }

        /// <summary>Appends lines to the followed mail log, as the MTA writes them.</summary>
        public void Log(IEnumerable<string> lines) => File.AppendAllLines(mailLog, lines);

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}
