namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// The mailbox that receives our domains' DMARC aggregate reports (the address in the <c>rua=</c> of our DMARC
/// records), read by <c>relaywatch dmarc fetch</c>: configuration section <c>dmarc.imap</c>, docs/configuration.md.
/// </summary>
public sealed class DmarcImapSettings
{
    /// <summary>The IMAP server; required.</summary>
    public string? Host { get; set; }

    /// <summary>993 for <c>tls</c>, else 143, when not given.</summary>
    public int? Port { get; set; }

    /// <summary>
    /// <c>tls</c> (the default: TLS from the first byte, port 993), <c>starttls</c> (refusing a server that does not
    /// offer it), or <c>none</c> (clear text: only for a server on this machine or a trusted network).
    /// </summary>
    public string Security { get; set; } = "tls";

    /// <summary>The login; required.</summary>
    public string? User { get; set; }

    /// <summary>A file whose first line is the password, so that it sits in no configuration or command line; required.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>The folder the reports arrive in.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>
    /// A folder to move each message to once all its reports are stored (created beforehand by the operator). When
    /// not given, stored messages are marked seen and only unseen ones are read.
    /// </summary>
    public string? MoveTo { get; set; }

    /// <summary>Seconds to wait for the server.</summary>
    public int TimeoutSeconds { get; set; } = 60;

    internal static readonly string[] SecurityModes = ["tls", "starttls", "none"];

    public int PortOrDefault => Port ?? (Security == "tls" ? 993 : 143);

    /// <summary>Checks the settings; the message names the setting.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("dmarc.imap.host (--host) is required: the IMAP server that receives the reports.");
        }

        if (string.IsNullOrWhiteSpace(User))
        {
            throw new ArgumentException("dmarc.imap.user (--user) is required.");
        }

        if (string.IsNullOrWhiteSpace(PasswordFile))
        {
            throw new ArgumentException("dmarc.imap.passwordFile (--password-file) is required: a file whose first line is the password.");
        }

        if (PortOrDefault is < 1 or > 65535)
        {
            throw new ArgumentException($"dmarc.imap.port ({PortOrDefault}) must be a TCP port, 1 to 65535.");
        }

        if (!SecurityModes.Contains(Security, StringComparer.Ordinal))
        {
            throw new ArgumentException($"dmarc.imap.security \"{Security}\" must be one of {string.Join(", ", SecurityModes)}.");
        }

        if (TimeoutSeconds < 1)
        {
            throw new ArgumentException($"dmarc.imap.timeoutSeconds ({TimeoutSeconds}) must be at least 1.");
        }
    }
}
