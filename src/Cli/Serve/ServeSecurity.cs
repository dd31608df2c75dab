using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RelayWatch.Analysis;
using RelayWatch.Cli.Configuration;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// How serve protects itself, settled at start-up: who may use it (the users file), HTTPS, which reverse
/// proxies are believed, and which Host names it answers to. Refuses, in one sentence, a set-up that would
/// expose it: listening beyond loopback without users, passwords in clear over the network, a proxy without users.
/// </summary>
internal sealed record ServeSecurity(
    UserDirectory Users, X509Certificate2? Certificate, IReadOnlyList<IPNetwork> TrustedProxies, IReadOnlyList<string> AllowedHosts)
{
    /// <summary>The variable the first serve read a Basic credential from; now refused, so it is not silently ignored.</summary>
    public const string RetiredCredentialsVariable = "RELAYWATCH_SERVE_CREDENTIALS";

    /// <summary>
    /// With no users and no proxy, a request from this machine is the machine's owner (as every other
    /// command is); once either exists, everyone logs in.
    /// </summary>
    public bool TrustsLoopback => TrustedProxies.Count == 0 && Users.Current.Users.Count == 0;

    /// <exception cref="UsageException">The set-up would be unsafe or is incomplete; the message says what to do.</exception>
    public static ServeSecurity Resolve(string urls, ServeSection section, string usersFile, string? retiredCredentials)
    {
        if (!string.IsNullOrEmpty(retiredCredentials))
        {
            throw new UsageException($"{RetiredCredentialsVariable} is no longer read: add people with `relaywatch serve user add NAME --role admin` (and relays with `serve token add RELAY`), then unset it.");
        }

        var users = new UserDirectory(usersFile);
        var hasUsers = users.Current.Users.Count > 0;
        var proxies = new List<IPNetwork>();
        foreach (var proxy in section.TrustedProxies ?? [])
        {
            proxies.Add(Subjects.ParseNetwork(proxy) ?? throw new UsageException($"serve.trustedProxies: '{proxy}' is neither an IP address nor a network in CIDR notation."));
        }

        if (proxies.Count > 0 && !hasUsers)
        {
            throw new UsageException("serve.trustedProxies is set but there are no users, and behind a proxy every request would look local: add one with `relaywatch serve user add NAME --role admin` first.");
        }

        var endpoints = new List<Uri>();
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards (* and +) are not valid URI hosts.
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"'{url}' is not a URL such as http://127.0.0.1:5080 or https://console.example.org:8443.");
            }

            endpoints.Add(uri);
        }

        if (endpoints.Count == 0)
        {
            throw new UsageException("--urls names no URL; give one such as http://127.0.0.1:5080.");
        }

        foreach (var uri in endpoints.Where(u => !IsLoopback(u)))
        {
            if (!hasUsers)
            {
                throw new UsageException($"serve would listen on {uri.Host}, beyond this machine, but has no users: add one with `relaywatch serve user add NAME --role admin` first, or listen on 127.0.0.1.");
            }

            if (uri.Scheme == "http" && proxies.Count == 0)
            {
                throw new UsageException($"serve would take passwords in clear on http://{uri.Authority}: use an https:// URL with serve.tlsCertificate, or a TLS proxy in front of a loopback URL (serve.trustedProxies).");
            }
        }

        X509Certificate2? certificate = null;
        if (endpoints.Any(u => u.Scheme == "https"))
        {
            var path = section.TlsCertificate ?? throw new UsageException("An https:// URL needs a certificate: set serve.tlsCertificate (and serve.tlsKey when the key is in a file of its own).");
            try
            {
                certificate = Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12"
                    ? X509CertificateLoader.LoadPkcs12FromFile(path, password: null)
                    : X509Certificate2.CreateFromPemFile(path, section.TlsKey);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"Cannot load the HTTPS certificate {path}: {e.Message.TrimEnd('.')}.");
            }

            if (!certificate.HasPrivateKey)
            {
                throw new UsageException($"The HTTPS certificate {path} comes without its private key; set serve.tlsKey to the key's PEM file.");
            }
        }

        var hosts = section.AllowedHosts?.ToList() ?? [];
        if (hosts.Count == 0)
        {
            foreach (var uri in endpoints)
            {
                if (IsLoopback(uri))
                {
                    hosts.AddRange(["localhost", "127.0.0.1", "[::1]"]);
                }
                else if (uri.Host is "0.0.0.0" or "[::]" or "::")
                {
                    throw new UsageException($"serve would answer on every address ({uri.Authority}) to any Host name: set serve.allowedHosts to the names people use to reach it.");
                }
                else
                {
                    hosts.Add(uri.Host);
                }
            }
        }

        return new ServeSecurity(users, certificate, proxies, [.. hosts.Distinct(StringComparer.OrdinalIgnoreCase)]);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
