using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Hostile.Tests.Support;
using RelayWatch.Ingest.Sources;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// Whoever reaches the syslog listener can write our evidence: a forged refusal that names a victim's
/// address, or accepted mail that defeats the blocklist's impact check. Only allowed senders are heard
/// (loopback and the relays by default), a listener open to other machines refuses to start without
/// them, and TLS with client certificates lets a relay prove who it is. Every sender here is real
/// traffic on the loopback range: 127.0.0.2 plays the relay, 127.0.0.3 the stranger.
/// </summary>
public sealed class ForgedSyslogFromStrangers : IDisposable
{
    private const string Relay = "127.0.0.2";
    private const string Stranger = "127.0.0.3";
    private const string Forged = "<22>Nov 24 10:00:00 mx1 postfix/smtpd[2201]: NOQUEUE: reject: RCPT from victim.example[198.51.100.7]: 554 5.7.1 <a@foreign.example>: Relay access denied; from=<x@bad.example> to=<a@foreign.example> proto=ESMTP helo=<bad.example>";
    private const string Genuine = "<22>Nov 24 10:00:01 mx1 postfix/smtpd[2202]: connect from mail.partner.example[192.0.2.10]";

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task AStrangersDatagramIsDroppedAndCounted()
    {
        await using var listener = ListenerProbe.Start(o => (o.Udp, o.AllowedSenders) = (ListenerProbe.Any, [IPNetwork.Parse(Relay + "/32")]));

        await ListenerProbe.SendUdpAsync(listener.UdpEndpoint!, Forged, from: Stranger);
        await ListenerProbe.SendUdpAsync(listener.UdpEndpoint!, Genuine, from: Relay);

        Assert.Equal(Genuine, await ListenerProbe.NextAsync(listener));
        Assert.Equal(1, listener.Drops[ListenerDropReason.SenderNotAllowed]);
    }

    [Fact]
    public async Task AStrangersConnectionIsClosedBeforeAByteOfItIsRead()
    {
        await using var listener = ListenerProbe.Start(o => (o.Tcp, o.AllowedSenders) = (ListenerProbe.Any, [IPNetwork.Parse(Relay + "/32")]));

        using (var stranger = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!, from: Stranger))
        {
            await stranger.SendAsync(Encoding.UTF8.GetBytes(Forged + "\n"));
            Assert.True(await ListenerProbe.ClosedByListenerAsync(stranger));
        }

        using (var relay = await ListenerProbe.ConnectAsync(listener.TcpEndpoint!, from: Relay))
        {
            await relay.SendAsync(Encoding.UTF8.GetBytes(Genuine + "\n"));
            Assert.Equal(Genuine, await ListenerProbe.NextAsync(listener));
        }

        Assert.Equal(1, listener.Drops[ListenerDropReason.SenderNotAllowed]);
    }

    [Fact]
    public void AListenerOpenToOtherMachinesWithoutAllowedSendersRefusesToStart()
    {
        var options = new SyslogListenerOptions { Udp = new IPEndPoint(IPAddress.Any, 0) };

        var refused = Assert.Throws<ArgumentException>(() => ListenerProbe.Start(o => o.Udp = options.Udp));

        Assert.Equal(
            "Listening on 0.0.0.0:0 would take syslog from other machines, but no sender beyond loopback is allowed: name the relays' addresses with --allow (listen.allowedSenders) or estate.relayAddresses.",
            refused.Message);
    }

    [Fact]
    public async Task TheCommandRefusesAnOpenBindWithOneSentenceAndTakesTheRelaysFromTheEstate()
    {
        var port = Loopback.FreePort();
        var refused = await RelayWatchProcess.RunAsync("--data", folder.Combine("data"), "listen", "--udp", $"0.0.0.0:{port}");

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal(
            $"relaywatch: Listening on 0.0.0.0:{port} would take syslog from other machines, but no sender beyond loopback is allowed: name the relays' addresses with --allow (listen.allowedSenders) or estate.relayAddresses.\n",
            refused.Error);

        var badAllow = await RelayWatchProcess.RunAsync("--data", folder.Combine("data"), "listen", "--udp", $"0.0.0.0:{port}", "--allow", "12");
        Assert.Equal(2, badAllow.ExitCode);
        Assert.Equal("relaywatch: '12' in --allow is not an address or a network such as 192.0.2.10 or 192.0.2.0/28.\n", badAllow.Error);
    }

    [Fact]
    public async Task SyslogOverTlsIsReceivedFromAnyAllowedSender()
    {
        var server = ServerCertificate();
        await using var listener = ListenerProbe.Start(o => (o.Tls, o.TlsCertificatePath, o.TlsKeyPath) = (ListenerProbe.Any, server.Certificate, server.Key));

        using var relay = await TlsClientAsync(listener.TlsEndpoint!, server.Trusted, clientCertificate: null);
        await relay.WriteAsync(ListenerProbe.Frame(Genuine));
        await relay.FlushAsync();

        Assert.Equal(Genuine, await ListenerProbe.NextAsync(listener));
    }

    [Fact]
    public async Task PlainTextSentToTheTlsPortIsNoMessage()
    {
        var server = ServerCertificate();
        await using var listener = ListenerProbe.Start(o => (o.Tls, o.TlsCertificatePath, o.TlsKeyPath) = (ListenerProbe.Any, server.Certificate, server.Key));

        using (var plain = await ListenerProbe.ConnectAsync(listener.TlsEndpoint!))
        {
            await plain.SendAsync(Encoding.UTF8.GetBytes(Forged + "\n"));
            Assert.True(await ListenerProbe.ClosedByListenerAsync(plain));
        }

        using var relay = await TlsClientAsync(listener.TlsEndpoint!, server.Trusted, clientCertificate: null);
        await relay.WriteAsync(ListenerProbe.Frame(Genuine));
        await relay.FlushAsync();

        Assert.Equal(Genuine, await ListenerProbe.NextAsync(listener));
        Assert.Equal(1, listener.Drops[ListenerDropReason.TlsRejected]);
    }

    [Fact]
    public async Task WithClientCertificatesRequiredOnlyTheRelaysAuthorityIsHeard()
    {
        var server = ServerCertificate();
        var (ours, oursPath) = Authority("RelayWatch test relays CA");
        var (theirs, _) = Authority("Somebody else's CA");
        await using var listener = ListenerProbe.Start(o =>
            (o.Tls, o.TlsCertificatePath, o.TlsKeyPath, o.TlsClientCaPath) = (ListenerProbe.Any, server.Certificate, server.Key, oursPath));

        await SendForgedAsync(clientCertificate: null);
        await SendForgedAsync(ClientCertificate(theirs, "mx1.forged.example"));

        using var relay = await TlsClientAsync(listener.TlsEndpoint!, server.Trusted, ClientCertificate(ours, "mx1.ours.example"));
        await relay.WriteAsync(ListenerProbe.Frame(Genuine));
        await relay.FlushAsync();

        Assert.Equal(Genuine, await ListenerProbe.NextAsync(listener));
        Assert.Equal(2, listener.Drops[ListenerDropReason.TlsRejected]);

        async Task SendForgedAsync(X509Certificate2? clientCertificate)
        {
            try
            {
                // With TLS 1.3 the client learns of the refusal only when it reads.
                using var forger = await TlsClientAsync(listener.TlsEndpoint!, server.Trusted, clientCertificate);
                await forger.WriteAsync(ListenerProbe.Frame(Forged));
                await forger.FlushAsync();
                Assert.Equal(0, await forger.ReadAsync(new byte[16]));
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
            {
                // Refused during the handshake.
            }
        }
    }

    [Fact]
    public async Task DropsAreShownByStatusAndByTheListenersLog()
    {
        var port = Loopback.FreeUdpPort();
        using var listening = RelayWatchProcess.Start(["--data", folder.Combine("data"), "listen", "--udp", $"127.0.0.1:{port}", "--allow", Relay]);
        await RelayWatchProcess.ReadErrorLineStartingAsync(listening, "Listening for syslog");
        var to = new IPEndPoint(IPAddress.Loopback, port);
        await ListenerProbe.SendUdpAsync(to, Forged, from: Stranger);
        await ListenerProbe.SendUdpAsync(to, Forged, from: "127.0.0.1");
        await ListenerProbe.SendUdpAsync(to, Genuine, from: Relay);

        // The listener logs its drops once a second of quiet has passed; its log line is the sign they were recorded.
        var logged = await RelayWatchProcess.ReadErrorLineStartingAsync(listening, "warning: The syslog listener dropped");
        await RelayWatchProcess.SendSigtermAsync(listening);
        await listening.WaitForExitAsync();
        var status = await RelayWatchProcess.RunAsync("--data", folder.Combine("data"), "status");

        Assert.Equal("warning: The syslog listener dropped 2 more (2 in all): sender_not_allowed", logged);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("listener   dropped 2 sender_not_allowed\n", status.Output, StringComparison.Ordinal);
    }

    private static async Task<SslStream> TlsClientAsync(IPEndPoint to, X509Certificate2 trusted, X509Certificate2? clientCertificate)
    {
        var socket = await ListenerProbe.ConnectAsync(to);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == trusted.GetCertHashString(),
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        });
        return tls;
    }

    /// <summary>A self-signed server certificate written as PEM files, and the certificate the client trusts.</summary>
    private (string Certificate, string Key, X509Certificate2 Trusted) ServerCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var (certificatePath, keyPath) = (folder.Combine("server.crt"), folder.Combine("server.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, X509CertificateLoader.LoadCertificate(certificate.RawData));
    }

    /// <summary>A CA for client certificates, with its certificate written as PEM.</summary>
    private (X509Certificate2 Authority, string Path) Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = folder.Combine($"ca-{Guid.NewGuid():N}.crt");
        File.WriteAllText(path, authority.ExportCertificatePem());
        return (authority, path);
    }

    private static X509Certificate2 ClientCertificate(X509Certificate2 authority, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12, so the key is one the platform's TLS can use for a client certificate.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }

    private sealed class TemporaryFolder : IDisposable
    {
        private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("relaywatch-listener-");

        public string Combine(string name) => Path.Combine(directory.FullName, name);

        public void Dispose() => directory.Delete(recursive: true);
    }
}
