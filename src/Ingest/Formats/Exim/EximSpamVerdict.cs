using RelayWatch.Ingest.Events;

namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>
/// sa-exim's verdict on a message it throws away: <c>id SA: Action: silently tossed message: score=… (scanned in …
/// | Message-Id: …). From &lt;sender&gt; (host=name [ip]) for rcpt</c>. The client was told the message was accepted,
/// and it is gone: a refusal in all but the reply, so a <c>reject</c> of the client. The Message-Id, the sender and
/// the recipient are the client's text and may spell a forged <c>(host=… [ip])</c>: the client is the one host
/// specification in the line, and a line naming two addresses is blamed on no one.
/// </summary>
internal static class EximSpamVerdict
{
    private const string HostOpen = " (host=";

    public static LineResult Tossed(ReadOnlySpan<char> verdict, EventStamp stamp, string messageId, EximCorrelation correlation)
    {
        EximHost? client = null;
        int hostAt = -1, hostEnd = 0;
        for (var from = verdict.IndexOf(HostOpen, StringComparison.Ordinal); from >= 0; from = Next(verdict, from))
        {
            var start = from + HostOpen.Length;
            if (!EximFieldReader.TryReadHost(verdict, start, out var host, out _, out var end) || end >= verdict.Length || verdict[end] != ')')
            {
                continue;
            }

            if (client is null)
            {
                (client, hostAt, hostEnd) = (host, from, end + 1);
            }
            else if (host.Ip != client.Ip)
            {
                return LineResult.Unrecognised("two clients named in exim sa-exim line");
            }
        }

        if (client is null)
        {
            return LineResult.Unrecognised("unreadable host in exim.sa_tossed line");
        }

        // "… From <sender>" just before the host, " for rcpt" just after it.
        var before = verdict[..hostAt];
        var fromAt = before.LastIndexOf(" From <", StringComparison.Ordinal);
        var sender = fromAt >= 0 && before.EndsWith(">") ? before[(fromAt + 7)..^1] : [];
        var detail = fromAt >= 0 ? before[..fromAt].TrimEnd('.') : before;
        var after = verdict[hostEnd..];
        var rcpt = after.StartsWith(" for ") ? after[5..].Trim() : [];
        var session = correlation.Find(stamp, client, string.Empty);
        var text = "silently tossed message: " + detail.ToString();
        return new LineResult(LineOutcome.Event, "exim.sa_tossed", new SmtpEvent(stamp, EventNames.Reject)
        {
            ClientIp = client.Ip,
            ClientHost = client.VerifiedName,
            Helo = client.HeloOrName,
            MailFrom = sender.ToString(),
            RcptTo = rcpt.ToString(),
            Reason = ReplyReasons.Classify(text),
            QueueId = messageId,
            SessionId = session?.Id ?? string.Empty,
            Detail = text,
        });
    }

    private static int Next(ReadOnlySpan<char> text, int from)
    {
        var next = text[(from + 1)..].IndexOf(HostOpen, StringComparison.Ordinal);
        return next < 0 ? -1 : from + 1 + next;
    }
}
