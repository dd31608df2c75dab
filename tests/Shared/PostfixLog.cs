using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Ingest;
using RelayWatch.Ingest.Loading;
using RelayWatch.Store;

namespace RelayWatch.Tests.Shared;

/// <summary>
/// Writes Postfix smtpd, cleanup, qmgr and smtp lines as Postfix 3 logs them, for tests that build a day by
/// hand: lines written by us in Postfix's wording, not by the simulator. Linked into the test projects that use it.
/// </summary>
internal sealed class PostfixLog
{
    private readonly StringBuilder text = new();
    private int pid = 3000;
    private int queue;

    /// <summary>The day the next lines are logged on.</summary>
    public DateOnly Day { get; set; } = new(2026, 11, 24);

    public override string ToString() => text.ToString();

    /// <summary>Writes the lines to a temporary mail.log and ingests it into the store, as <c>relaywatch ingest</c> would.</summary>
    public async Task IngestIntoAsync(IClickHouseStore store)
    {
        var directory = Directory.CreateTempSubdirectory("relaywatch-postfix-log-");
        try
        {
            var path = Path.Combine(directory.FullName, "mail.log");
            await File.WriteAllTextAsync(path, text.ToString());
            await new IngestRunner(store, new IngestOptions { Year = Day.Year }, TimeProvider.System, NullLogger.Instance)
                .IngestAsync([path], CancellationToken.None);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>A session whose every recipient is refused as unknown, in one transaction.</summary>
    public void Refused(string host, string ip, string proto, string sender, IReadOnlyList<string> recipients, string at)
    {
        var smtpd = ++pid;
        var client = $"{host}[{ip}]";
        Line(at, $"smtpd[{smtpd}]", $"connect from {client}");
        foreach (var rcpt in recipients)
        {
            Line(at, $"smtpd[{smtpd}]", $"NOQUEUE: reject: RCPT from {client}: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in relay recipient table; from={Sender(sender)} to=<{rcpt}> proto={proto} helo=<{(host == "unknown" ? "ylmf-pc" : host)}>");
        }

        Line(at, $"smtpd[{smtpd}]", $"disconnect from {client} ehlo=1 mail=1 rcpt=0/{recipients.Count} quit=1 commands=3/{3 + recipients.Count}");
    }

    /// <summary>A session whose one recipient is refused as a relay attempt.</summary>
    public void RelayRefused(string host, string ip, string sender, string recipient, string helo, string at)
    {
        var smtpd = ++pid;
        var client = $"{host}[{ip}]";
        Line(at, $"smtpd[{smtpd}]", $"connect from {client}");
        Line(at, $"smtpd[{smtpd}]", $"NOQUEUE: reject: RCPT from {client}: 554 5.7.1 <{recipient}>: Relay access denied; from=<{sender}> to=<{recipient}> proto=SMTP helo=<{helo}>");
        Line(at, $"smtpd[{smtpd}]", $"disconnect from {client} helo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
    }

    /// <summary>A message accepted and delivered to Domino, one delivery a recipient.</summary>
    public void Inbound(string host, string ip, string sender, IReadOnlyList<string> recipients, string at)
    {
        var smtpd = ++pid;
        var client = $"{host}[{ip}]";
        var id = QueueId();
        Line(at, $"smtpd[{smtpd}]", $"connect from {client}");
        Line(at, $"smtpd[{smtpd}]", $"{id}: client={client}");
        Line(at, $"cleanup[{smtpd + 1}]", $"{id}: message-id=<{id}@{host}>");
        Line(at, "qmgr[900]", $"{id}: from={Sender(sender)}, size=4211, nrcpt={recipients.Count} (queue active)");
        Line(at, $"smtpd[{smtpd}]", $"disconnect from {client} ehlo=1 mail=1 rcpt={recipients.Count} data=1 quit=1 commands={4 + recipients.Count}");
        foreach (var rcpt in recipients)
        {
            Line(at, $"smtp[{smtpd + 2}]", $"{id}: to=<{rcpt}>, relay=domino1.ours.example[10.20.0.5]:2222, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 Message accepted for delivery)");
        }

        Line(at, "qmgr[900]", $"{id}: removed");
    }

    /// <summary>One transaction to a list: the stale addresses refused, the rest accepted and delivered.</summary>
    public void Newsletter(string host, string ip, string sender, IReadOnlyList<string> stale, int live, string at)
    {
        var smtpd = ++pid;
        var client = $"{host}[{ip}]";
        var id = QueueId();
        Line(at, $"smtpd[{smtpd}]", $"connect from {client}");
        foreach (var rcpt in stale)
        {
            Line(at, $"smtpd[{smtpd}]", $"NOQUEUE: reject: RCPT from {client}: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in relay recipient table; from=<{sender}> to=<{rcpt}> proto=ESMTP helo=<{host}>");
        }

        Line(at, $"smtpd[{smtpd}]", $"{id}: client={client}");
        Line(at, $"cleanup[{smtpd + 1}]", $"{id}: message-id=<{id}@{host}>");
        Line(at, "qmgr[900]", $"{id}: from=<{sender}>, size=48211, nrcpt={live} (queue active)");
        Line(at, $"smtpd[{smtpd}]", $"disconnect from {client} ehlo=1 mail=1 rcpt={live}/{live + stale.Count} data=1 quit=1 commands={4 + live}/{4 + live + stale.Count}");
        for (var n = 0; n < live; n++)
        {
            Line(at, $"smtp[{smtpd + 2}]", $"{id}: to=<reader{n}@ours.example>, relay=domino1.ours.example[10.20.0.5]:2222, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 Message accepted for delivery)");
        }

        Line(at, "qmgr[900]", $"{id}: removed");
    }

    private static string Sender(string sender) => sender == "<>" ? "<>" : $"<{sender}>";

    private string QueueId() => string.Create(CultureInfo.InvariantCulture, $"4Yk3{++queue:X6}z9tBr");

    /// <summary>A message submitted after authentication (the submission service), delivered to each recipient or bounced by the far side.</summary>
    public void Submission(string host, string ip, string login, string sender, IReadOnlyList<(string Recipient, bool Bounced)> recipients, string at)
    {
        var smtpd = ++pid;
        var client = $"{host}[{ip}]";
        var id = QueueId();
        Line(at, $"submission/smtpd[{smtpd}]", $"connect from {client}");
        Line(at, $"submission/smtpd[{smtpd}]", $"{id}: client={client}, sasl_method=LOGIN, sasl_username={login}");
        Line(at, $"cleanup[{smtpd + 1}]", $"{id}: message-id=<{id}@{host}>");
        Line(at, "qmgr[900]", $"{id}: from=<{sender}>, size=2211, nrcpt={recipients.Count} (queue active)");
        Line(at, $"submission/smtpd[{smtpd}]", $"disconnect from {client} ehlo=2 starttls=1 auth=1 mail=1 rcpt={recipients.Count} data=1 quit=1 commands={7 + recipients.Count}");
        foreach (var (rcpt, bounced) in recipients)
        {
            var domain = rcpt[(rcpt.IndexOf('@', StringComparison.Ordinal) + 1)..];
            Line(at, $"smtp[{smtpd + 2}]", bounced
                ? $"{id}: to=<{rcpt}>, relay=mx.{domain}[198.18.0.25]:25, delay=0.9, delays=0.1/0/0.3/0.5, dsn=5.7.1, status=bounced (host mx.{domain}[198.18.0.25] said: 550 5.7.1 Message rejected as spam (in reply to end of DATA command))"
                : $"{id}: to=<{rcpt}>, relay=mx.{domain}[198.18.0.25]:25, delay=0.9, delays=0.1/0/0.3/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)");
        }

        Line(at, "qmgr[900]", $"{id}: removed");
    }

    private void Line(string at, string program, string message) =>
        text.Append(CultureInfo.InvariantCulture, $"{Day:MMM} {Day.Day,2} {at} mx1 postfix/{program}: {message}\n");

    /// <summary>A line of another program on the relay (<c>policyd-spf[4100]</c>, say), in its own wording.</summary>
    public void Raw(string at, string program, string message) =>
        text.Append(CultureInfo.InvariantCulture, $"{Day:MMM} {Day.Day,2} {at} mx1 {program}: {message}\n");
}
