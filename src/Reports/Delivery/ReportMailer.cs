using System.Globalization;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace RelayWatch.Reports.Delivery;

/// <summary>
/// Mails a written report through an SMTP server (MailKit): the Markdown as the text body, the HTML
/// page attached. The files are written first, so a failed delivery loses nothing.
/// </summary>
public sealed class ReportMailer(ReportMailSettings settings)
{
    /// <exception cref="ReportDeliveryException">The server could not be reached or refused the message; the message says which and why.</exception>
    public async Task SendAsync(DateOnly day, WrittenReport report, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = string.Create(CultureInfo.InvariantCulture, $"RelayWatch daily report {day:yyyy-MM-dd}");
        var body = new BodyBuilder
        {
            TextBody = report.Markdown is null ? "The report is attached." : await File.ReadAllTextAsync(report.Markdown, cancellationToken).ConfigureAwait(false),
        };
        if (report.Html is not null)
        {
            await body.Attachments.AddAsync(report.Html, cancellationToken).ConfigureAwait(false);
        }

        if (report.Json is not null)
        {
            await body.Attachments.AddAsync(report.Json, cancellationToken).ConfigureAwait(false);
        }

        message.Body = body.ToMessageBody();

        using var client = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000 };
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, Security(), cancellationToken).ConfigureAwait(false);
            var password = Environment.GetEnvironmentVariable("RELAYWATCH_SMTP_PASSWORD") is { Length: > 0 } fromEnvironment ? fromEnvironment : settings.Password;
            if (settings.User.Length > 0)
            {
                await client.AuthenticateAsync(settings.User, password, cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException e) when (settings.Security == "always")
        {
            throw new ReportDeliveryException(
                $"The report was not mailed through {settings.Host}:{settings.Port.ToString(CultureInfo.InvariantCulture)} because the server does not offer STARTTLS and reports.mail.security is \"always\" (set it to \"auto\" or \"none\" to send in clear on a network you trust); its files are written all the same.", e);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or AuthenticationException or SslHandshakeException
            or System.Net.Sockets.SocketException or IOException or TimeoutException or NotSupportedException)
        {
            throw new ReportDeliveryException(
                $"The report could not be mailed through {settings.Host}:{settings.Port.ToString(CultureInfo.InvariantCulture)} ({e.Message.TrimEnd('.')}); its files are written all the same.", e);
        }
    }

    private SecureSocketOptions Security() => settings.Security switch
    {
        "always" => SecureSocketOptions.StartTls,
        "none" => SecureSocketOptions.None,
        "tls" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTlsWhenAvailable,
    };
}
