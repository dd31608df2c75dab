namespace RelayWatch.Reports;

/// <summary>The SMTP server the report is sent through (<c>reports.mail</c>).</summary>
public sealed class ReportMailSettings
{
    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 25;

    /// <summary>
    /// <c>always</c> (the default: STARTTLS, refusing to send the report in clear), <c>auto</c> (STARTTLS when the
    /// server offers it, which anyone on the path can strip), <c>none</c>, or <c>tls</c> (TLS from the first byte, port 465).
    /// </summary>
    public string Security { get; set; } = "always";

    /// <summary>Login for SMTP AUTH; none when empty.</summary>
    public string User { get; set; } = string.Empty;

    /// <summary>The password; <c>$RELAYWATCH_SMTP_PASSWORD</c> takes precedence so it need not sit in the file.</summary>
    public string Password { get; set; } = string.Empty;

    public string From { get; set; } = "relaywatch@localhost";

    /// <summary>Seconds to wait for the server.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    internal static readonly string[] SecurityModes = ["auto", "always", "none", "tls"];

    public void Validate()
    {
        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"reports.mail.port ({Port}) must be a TCP port, 1 to 65535.");
        }

        if (!SecurityModes.Contains(Security, StringComparer.Ordinal))
        {
            throw new ArgumentException($"reports.mail.security \"{Security}\" must be one of {string.Join(", ", SecurityModes)}.");
        }

        if (TimeoutSeconds < 1)
        {
            throw new ArgumentException($"reports.mail.timeoutSeconds ({TimeoutSeconds}) must be at least 1.");
        }
    }
}
