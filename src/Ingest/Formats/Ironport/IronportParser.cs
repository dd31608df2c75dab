using System.Globalization;
using RelayWatch.Ingest.Events;
using Sprache;

namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// Reads Cisco Secure Email (IronPort) mail_logs, the appliance's own file or through syslog, and
/// correlates them by the ids AsyncOS writes on every line: a connection's lines share its ICID (from
/// <c>New SMTP ICID</c> to <c>ICID … close</c>), a message's its MID (the client, sender, recipients by RID
/// and Message-ID it gathered before <c>ready … bytes</c>), a delivery connection's its DCID (the address
/// it went to). Stored: connections and their close or loss; the host access table's REJECT and
/// TCPREFUSE; SMTP AUTH failures; recipients refused by the recipient access table (relaying),
/// LDAP acceptance (unknown users), receiving or injection control (rate limits) and bounce
/// verification; each message accepted (<c>ready</c>); deliveries (<c>Message done</c>), bounces and
/// delays per recipient; the bounces the appliance generates. The many notes about scanning, policies
/// and the system are recognised and skipped. The relay is <c>--relay</c>, else the syslog host, else the
/// folder the file is in. Correlation state idle for longer than <see cref="Horizon"/> is dropped.
/// </summary>
internal sealed class IronportParser : ILogParser
{
    private const int SweepEvery = 50_000;

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private readonly CorrelationMap<string, ClientSession> sessions = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, Message> messages = new(StringComparer.Ordinal);
    private readonly CorrelationMap<string, Delivery> deliveries = new(StringComparer.Ordinal);
    private long linesSinceSweep;

    public string Source => "ironport";

    /// <summary>How long correlation state may sit idle before it is dropped. Default 7 days (a delayed message is retried for days).</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(7);

    public int OpenSessions => sessions.Count;

    public int OpenMessages => messages.Count;

    public LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber)
    {
        if (line.IsWhiteSpace())
        {
            return LineResult.Skipped("blank line");
        }

        if (!TryReadPrefix(line, out var prefix))
        {
            return LineResult.Unrecognised("no mail_logs stamp");
        }

        if (prefix.LogName.Length > 0 && prefix.LogName != "mail_logs")
        {
            return LineResult.Skipped("other log");
        }

        DateTimeOffset timestamp;
        try
        {
            timestamp = prefix.Year > 0
                ? origin.Timestamps.FromLocal(prefix.Year, prefix.Month, prefix.Day, prefix.Hour, prefix.Minute, prefix.Second, 0)
                : origin.Timestamps.FromLocal(prefix.Month, prefix.Day, prefix.Hour, prefix.Minute, prefix.Second, 0);
        }
        catch (ArgumentOutOfRangeException)
        {
            return LineResult.Unrecognised("impossible mail_logs date");
        }

        if (++linesSinceSweep >= SweepEvery)
        {
            Sweep(timestamp);
        }

        if (prefix.Level != "Info")
        {
            return LineResult.Skipped("ironport." + prefix.Level.ToLowerInvariant());
        }

        var relay = origin.Relay ?? (prefix.Host.Length > 0 ? prefix.Host : origin.FolderOr("ironport"));
        var text = line[prefix.TextStart..].TrimEnd();
        var context = new LineContext(timestamp, relay, origin.File, lineNumber);
        return text switch
        {
            _ when text.StartsWith("New SMTP ICID ") => Connected(text, context),
            _ when text.StartsWith("ICID ") => ConnectionLine(text, context),
            _ when text.StartsWith("SMTP Auth: (ICID ") => Authentication(text, context),
            _ when text.StartsWith("MID ") => MessageLine(text, context),
            _ when text.StartsWith("Start MID ") => Started(text, context),
            _ when text.StartsWith("New SMTP DCID ") => DeliveryConnection(text, context),
            _ when text.StartsWith("Delivery start DCID ") => LineResult.Skipped("ironport.delivery_start"),
            _ when text.StartsWith("Message done DCID ") => Delivered(text, context),
            _ when text.StartsWith("Bounced: ") || text.StartsWith("Delayed: ") => Failed(text, context),
            _ when text.StartsWith("Message finished MID ") => Finished(text, context),
            _ => LineResult.Skipped("ironport.note"),
        };
    }

    /// <summary>Whether a line looks like a mail_logs line, for format detection.</summary>
    public static bool LooksLikeMailLog(string line) =>
        TryReadPrefix(line, out var prefix) && (prefix.LogName is "" or "mail_logs");

    private LineResult Connected(ReadOnlySpan<char> text, LineContext context)
    {
        if (!IronportFieldReader.TryReadNewConnection(text, out var connection) || ClientAddress.Canonical(connection.Ip) is not { } ip)
        {
            return LineResult.Unrecognised("unreadable ironport connection line");
        }

        var (icid, _, host, verified) = connection;
        var session = new ClientSession(string.Create(CultureInfo.InvariantCulture, $"{context.Relay}/icid/{icid}"), ip, verified && host != "unknown" ? host : "unknown")
        {
            LastSeen = context.Timestamp,
        };
        sessions.Set(Key(context.Relay, icid), session);
        return SessionEvent(EventNames.Connect, "ironport.connect", session, context);
    }

    /// <summary>The lines about a connection: the access table's verdict, its close, its loss.</summary>
    private LineResult ConnectionLine(ReadOnlySpan<char> text, LineContext context)
    {
        var rest = text["ICID ".Length..];
        var space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var icid))
        {
            return LineResult.Unrecognised("unreadable ironport ICID line");
        }

        var key = Key(context.Relay, icid);
        var session = sessions.Find(key, context.Timestamp);
        var what = rest[(space + 1)..];
        if (what.SequenceEqual("close") || what.StartsWith("lost"))
        {
            if (session is null)
            {
                return LineResult.Skipped("ironport.close_of_unknown");
            }

            sessions.Remove(key);
            return what.StartsWith("lost")
                ? SessionEvent(EventNames.LostConnection, "ironport.lost_connection", session, context)
                : SessionEvent(EventNames.Disconnect, "ironport.disconnect", session, context);
        }

        var read = IronportFieldReader.TryReadVerdict(text, out var parsed);
        if (!read || parsed.Verdict is not ("REJECT" or "TCPREFUSE"))
        {
            return LineResult.Skipped(read ? "ironport.verdict" : "ironport.connection_note");
        }

        if (session is null)
        {
            return LineResult.Unrecognised("ironport verdict for an unknown connection");
        }

        var (_, verdict, tail) = parsed;
        var result = SessionEvent(EventNames.Reject, "ironport.hat_reject", session, context);
        return result with
        {
            Event = result.Event! with
            {
                // A sender group matched by reputation (SBRS) refuses as a DNS blocklist does.
                Reason = tail.Contains("sbrs[", StringComparison.Ordinal) ? Reasons.Rbl : Reasons.ClientRejected,
                SmtpCode = verdict == "REJECT" ? (ushort)554 : (ushort)0,
                Detail = $"{verdict} {tail}".Trim(),
            },
        };
    }

    /// <summary><c>SMTP Auth: (ICID 451) failed for user: someone using AUTH mechanism: PLAIN with profile: P</c>.</summary>
    private LineResult Authentication(ReadOnlySpan<char> text, LineContext context)
    {
        var close = text.IndexOf(')');
        if (close < 0 || !long.TryParse(text["SMTP Auth: (ICID ".Length..close], NumberStyles.None, CultureInfo.InvariantCulture, out var icid))
        {
            return LineResult.Unrecognised("unreadable ironport SMTP AUTH line");
        }

        var rest = text[(close + 1)..].Trim();
        var user = rest.IndexOf("for user: ", StringComparison.Ordinal) is var at and >= 0 ? rest[(at + "for user: ".Length)..] : [];
        user = user.IndexOf(" using ", StringComparison.Ordinal) is var end and >= 0 ? user[..end] : user;
        var session = sessions.Find(Key(context.Relay, icid), context.Timestamp);
        if (rest.StartsWith("succeeded"))
        {
            if (session is not null)
            {
                session.SaslUser = user.ToString();
            }

            return LineResult.Skipped("ironport.auth_success");
        }

        if (!rest.StartsWith("failed") || session is null)
        {
            return session is null ? LineResult.Unrecognised("ironport SMTP AUTH on an unknown connection") : LineResult.Skipped("ironport.auth_note");
        }

        var result = SessionEvent(EventNames.AuthFailure, "ironport.auth_failure", session, context);
        return result with { Event = result.Event! with { SaslUser = user.ToString(), Detail = rest.ToString() } };
    }

    /// <summary><c>Start MID 6 ICID 5</c>: a message begins in a connection.</summary>
    private LineResult Started(ReadOnlySpan<char> text, LineContext context)
    {
        var rest = text["Start MID ".Length..];
        var space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var mid)
            || !rest[space..].StartsWith(" ICID ") || !long.TryParse(rest[(space + 6)..], NumberStyles.None, CultureInfo.InvariantCulture, out var icid))
        {
            return LineResult.Unrecognised("unreadable ironport message start");
        }

        var session = sessions.Find(Key(context.Relay, icid), context.Timestamp);
        messages.Set(Key(context.Relay, mid), new Message { Session = session, LastSeen = context.Timestamp });
        return LineResult.Skipped("ironport.message_start");
    }

    /// <summary>The lines that begin <c>MID n</c>: sender, recipients and refusals, Message-ID, size, generated bounces.</summary>
    private LineResult MessageLine(ReadOnlySpan<char> text, LineContext context)
    {
        var rest = text["MID ".Length..];
        var space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var mid))
        {
            return LineResult.Unrecognised("unreadable ironport MID line");
        }

        rest = rest[(space + 1)..];
        var key = Key(context.Relay, mid);
        long? icid = null;
        if (rest.StartsWith("ICID "))
        {
            var after = rest["ICID ".Length..];
            var end = after.IndexOf(' ');
            if (end < 0 || !long.TryParse(after[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return LineResult.Unrecognised("unreadable ironport ICID");
            }

            icid = id;
            rest = after[(end + 1)..];
        }

        var message = messages.GetOrAdd(key, context.Timestamp, () => new Message());
        if (icid is { } connection && message.Session is null)
        {
            message.Session = sessions.Find(Key(context.Relay, connection), context.Timestamp);
        }

        if (rest.StartsWith("From: "))
        {
            message.State.MailFrom = Envelope.Address(rest["From: ".Length..]);
            return LineResult.Skipped("ironport.from");
        }

        if (rest.StartsWith("RID ["))
        {
            return LineResult.Skipped("ironport.response");
        }

        if (rest.StartsWith("RID "))
        {
            var to = rest.IndexOf(" To: ", StringComparison.Ordinal);
            if (to < 0 || !int.TryParse(rest["RID ".Length..to], NumberStyles.None, CultureInfo.InvariantCulture, out var rid))
            {
                return LineResult.Unrecognised("unreadable ironport recipient line");
            }

            message.Recipients[rid] = Envelope.Address(rest[(to + " To: ".Length)..]);
            return LineResult.Skipped("ironport.rcpt");
        }

        if (rest.StartsWith("To: "))
        {
            // A recipient refused at RCPT TO: "To: <x@ours.example> Rejected by LDAPACCEPT".
            var address = Envelope.Address(rest["To: ".Length..]);
            var by = rest.IndexOf(" Rejected by ", StringComparison.Ordinal);
            var detail = by < 0 ? rest.ToString() : rest[(by + 1)..].ToString();
            var reason = detail.Contains("LDAPACCEPT", StringComparison.Ordinal) || detail.Contains("DHAP", StringComparison.Ordinal) ? Reasons.UserUnknown
                : detail.Contains("RAT", StringComparison.Ordinal) ? Reasons.RelayDenied
                : detail.Contains("Control", StringComparison.Ordinal) ? Reasons.Policy
                : Reasons.Classify(detail);
            return Refusal(message, address, detail, reason, context);
        }

        if (rest.StartsWith("invalid bounce, rcpt address "))
        {
            var address = Envelope.Address(rest["invalid bounce, rcpt address ".Length..]);
            return Refusal(message, address, rest.ToString(), Reasons.Policy, context);
        }

        if (rest.StartsWith("Message-ID "))
        {
            message.State.MessageId = rest["Message-ID ".Length..].Trim('\'').Trim('"').Trim('<').Trim('>').ToString();
            return LineResult.Skipped("ironport.message_id");
        }

        if (rest.StartsWith("ready ") && rest.IndexOf(" bytes from ", StringComparison.Ordinal) is var bytes and > 6)
        {
            if (!ulong.TryParse(rest["ready ".Length..bytes], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                return LineResult.Unrecognised("unreadable ironport message size");
            }

            message.State.Size = size;
            message.State.MailFrom = Envelope.Address(rest[(bytes + " bytes from ".Length)..]);
            return new LineResult(LineOutcome.Event, "ironport.message", MessageEvent(EventNames.Message, message, mid, context) with { Size = size });
        }

        if ((rest.StartsWith("generated for bounce of MID ") || rest.StartsWith("was generated for bounce of MID "))
            && long.TryParse(rest[(rest.LastIndexOf(' ') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var original))
        {
            // A bounce the appliance made: recorded against the message that caused it.
            messages.Remove(key);
            var cause = messages.Find(Key(context.Relay, original), context.Timestamp);
            return cause is null
                ? LineResult.Skipped("ironport.bounce_of_unknown")
                : new LineResult(LineOutcome.Event, "ironport.bounce_message", MessageEvent(EventNames.NdrSent, cause, original, context) with { Detail = "MID " + mid.ToString(CultureInfo.InvariantCulture) });
        }

        return LineResult.Skipped("ironport.message_note");
    }

    private LineResult Refusal(Message message, string recipient, string detail, string reason, LineContext context) =>
        new(LineOutcome.Event, "ironport.rcpt_reject", MessageEvent(EventNames.RcptReject, message, null, context) with
        {
            RcptTo = recipient,
            Detail = detail,
            Reason = reason,
            SmtpCode = 550,
        });

    /// <summary><c>New SMTP DCID 8 interface 192.0.2.1 address 10.20.0.5 [port 25]</c>: where a delivery connection goes.</summary>
    private LineResult DeliveryConnection(ReadOnlySpan<char> text, LineContext context)
    {
        var rest = text["New SMTP DCID ".Length..];
        var space = rest.IndexOf(' ');
        var address = rest.IndexOf(" address ", StringComparison.Ordinal);
        if (space < 0 || address < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var dcid))
        {
            return LineResult.Unrecognised("unreadable ironport delivery connection");
        }

        var target = rest[(address + " address ".Length)..];
        var end = target.IndexOf(' ');
        var ip = (end < 0 ? target : target[..end]).ToString();
        var port = target.IndexOf(" port ", StringComparison.Ordinal) is var p and >= 0 ? ":" + target[(p + 6)..].Trim().ToString() : string.Empty;
        deliveries.Set(Key(context.Relay, dcid), new Delivery($"[{ip}]{port}") { LastSeen = context.Timestamp });
        return LineResult.Skipped("ironport.delivery_connection");
    }

    /// <summary><c>Message done DCID 8 MID 6 to RID [0, 1] …</c>: delivered, one event per recipient.</summary>
    private LineResult Delivered(ReadOnlySpan<char> text, LineContext context)
    {
        if (!TryReadDcidMid(text["Message done DCID ".Length..], out var dcid, out var mid, out var rest) || !rest.StartsWith(" to RID ["))
        {
            return LineResult.Unrecognised("unreadable ironport delivery line");
        }

        var close = rest.IndexOf(']');
        if (close < 0)
        {
            return LineResult.Unrecognised("unreadable ironport delivery line");
        }

        var rids = rest[" to RID [".Length..close].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var message = messages.GetOrAdd(Key(context.Relay, mid), context.Timestamp, () => new Message());
        var hop = deliveries.Find(Key(context.Relay, dcid), context.Timestamp)?.Hop ?? string.Empty;
        var recipients = rids.Select(r => int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var rid) ? message.Recipients.GetValueOrDefault(rid, string.Empty) : string.Empty).ToList();

        // One line delivers to several recipients; the store keeps one row per line, naming them all.
        return new LineResult(LineOutcome.Event, "ironport.delivery", MessageEvent(EventNames.Delivery, message, mid, context) with
        {
            RcptTo = string.Join(",", recipients.Where(r => r.Length > 0)),
            NextHop = hop,
            Detail = rids.Length > 1 ? $"{rids.Length} recipients" : string.Empty,
        });
    }

    /// <summary>A recipient bounced (hard) or delayed (soft) by the next hop.</summary>
    private LineResult Failed(ReadOnlySpan<char> text, LineContext context)
    {
        var parsed = IronportGrammar.DeliveryFailure.TryParse(text.ToString());
        if (!parsed.WasSuccessful)
        {
            // The bounce log's own shape ("Bounced: 45346670:0 From:<…> To:<…>") is not mail_logs'.
            return LineResult.Skipped("ironport.bounce_note");
        }

        var (dcid, mid, rid, status, reply) = parsed.Value;
        var message = messages.GetOrAdd(Key(context.Relay, mid), context.Timestamp, () => new Message());
        var bounced = text.StartsWith("Bounced");
        var detail = $"{status} - {reply}".Trim();
        return new LineResult(LineOutcome.Event, bounced ? "ironport.bounce" : "ironport.defer", MessageEvent(bounced ? EventNames.Bounce : EventNames.Defer, message, mid, context) with
        {
            RcptTo = message.Recipients.GetValueOrDefault(rid, string.Empty),
            NextHop = deliveries.Find(Key(context.Relay, dcid), context.Timestamp)?.Hop ?? string.Empty,
            Dsn = status,
            SmtpCode = ReplyCode(reply),
            Reason = Reasons.Classify(reply),
            Detail = detail,
        });
    }

    private LineResult Finished(ReadOnlySpan<char> text, LineContext context)
    {
        var rest = text["Message finished MID ".Length..];
        var space = rest.IndexOf(' ');
        if (long.TryParse(space < 0 ? rest : rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var mid))
        {
            messages.Remove(Key(context.Relay, mid));
        }

        return LineResult.Skipped("ironport.message_finished");
    }

    private LineResult SessionEvent(string eventName, string kind, ClientSession session, LineContext context) =>
        new(LineOutcome.Event, kind, new SmtpEvent
        {
            Timestamp = context.Timestamp,
            Relay = context.Relay,
            Source = Source,
            Event = eventName,
            ClientIp = session.Ip,
            ClientHost = session.Host,
            SessionId = session.Id,
            SaslUser = session.SaslUser,
            File = context.File,
            Line = (ulong)context.Line,
        });

    private SmtpEvent MessageEvent(string eventName, Message message, long? mid, LineContext context) => new()
    {
        Timestamp = context.Timestamp,
        Relay = context.Relay,
        Source = Source,
        Event = eventName,
        ClientIp = message.Session?.Ip ?? string.Empty,
        ClientHost = message.Session?.Host ?? string.Empty,
        MailFrom = message.State.MailFrom,
        QueueId = mid is { } id ? id.ToString(CultureInfo.InvariantCulture) : string.Empty,
        SessionId = message.Session?.Id ?? string.Empty,
        MessageId = message.State.MessageId,
        SaslUser = message.Session?.SaslUser ?? string.Empty,
        File = context.File,
        Line = (ulong)context.Line,
    };

    /// <summary>The three-digit reply code in <c>('550', [...])</c>, 0 when there is none.</summary>
    private static ushort ReplyCode(string reply)
    {
        var open = reply.IndexOf("('", StringComparison.Ordinal);
        return open >= 0 && open + 5 <= reply.Length && ushort.TryParse(reply.AsSpan(open + 2, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 200 and < 600
            ? code : (ushort)0;
    }

    private static bool TryReadDcidMid(ReadOnlySpan<char> rest, out long dcid, out long mid, out ReadOnlySpan<char> after)
    {
        (dcid, mid) = (0, 0);
        after = [];
        var space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out dcid) || !rest[space..].StartsWith(" MID "))
        {
            return false;
        }

        var tail = rest[(space + 5)..];
        var end = tail.IndexOf(' ');
        after = end < 0 ? [] : tail[end..];
        return long.TryParse(end < 0 ? tail : tail[..end], NumberStyles.None, CultureInfo.InvariantCulture, out mid);
    }

    /// <summary>
    /// <see cref="IronportGrammar.Prefix"/> read without allocating on the hot path (bar the level and names,
    /// interned): a test checks that both read every line of the corpora and the sample alike.
    /// </summary>
    internal static bool TryReadPrefix(ReadOnlySpan<char> line, out IronportPrefix prefix)
    {
        prefix = default;
        var at = 0;
        if (line.Length > 0 && line[0] == '<')
        {
            at = 1;
            while (at < line.Length && char.IsAsciiDigit(line[at]))
            {
                at++;
            }

            if (at == 1 || at >= line.Length || line[at] != '>')
            {
                return false;
            }

            at++;
        }
        else if (TryReadCTime(line, out var year, out var month, out var day, out var hour, out var minute, out var second)
            && line.Length > 24 && line[24] == ' ' && TryReadLevel(line, 25, out var ctimeLevel, out var ctimeText))
        {
            prefix = new IronportPrefix(year, month, day, hour, minute, second, string.Empty, string.Empty, ctimeLevel, ctimeText);
            return true;
        }

        if (!TryReadMonthDayTime(line, at, out var m, out var d, out var h, out var mi, out var s) || at + 15 >= line.Length || line[at + 15] != ' ')
        {
            return false;
        }

        at += 16;
        var first = WordEnd(line, at);
        if (first == at || first >= line.Length)
        {
            return false;
        }

        string host, logName;
        if (line[first..].StartsWith(": "))
        {
            (host, logName, at) = (string.Empty, line[at..first].ToString(), first + 2);
        }
        else if (line[first] == ' ' && WordEnd(line, first + 1) is var second2 && second2 > first + 1 && line[second2..].StartsWith(": "))
        {
            (host, logName, at) = (line[at..first].ToString(), line[(first + 1)..second2].ToString(), second2 + 2);
        }
        else
        {
            return false;
        }

        if (!TryReadLevel(line, at, out var level, out var text))
        {
            return false;
        }

        prefix = new IronportPrefix(0, m, d, h, mi, s, host, logName, level, text);
        return true;
    }

    /// <summary>The end of a run of characters that are neither space nor colon.</summary>
    private static int WordEnd(ReadOnlySpan<char> line, int start)
    {
        var end = start;
        while (end < line.Length && line[end] != ' ' && line[end] != ':')
        {
            end++;
        }

        return end;
    }

    private static bool TryReadLevel(ReadOnlySpan<char> line, int start, out string level, out int textStart)
    {
        var end = start;
        while (end < line.Length && char.IsAsciiLetter(line[end]))
        {
            end++;
        }

        level = end == start ? string.Empty : line[start..end] switch
        {
            "Info" => "Info",
            "Warning" => "Warning",
            "Critical" => "Critical",
            "Debug" => "Debug",
            var other => other.ToString(),
        };
        textStart = end + 2;
        return end > start && line[end..].StartsWith(": ");
    }

    /// <summary><c>Www Mmm dd HH:MM:SS YYYY</c> at the start of the line.</summary>
    private static bool TryReadCTime(ReadOnlySpan<char> line, out int year, out int month, out int day, out int hour, out int minute, out int second)
    {
        (year, month, day, hour, minute, second) = (0, 0, 0, 0, 0, 0);
        return line.Length >= 24 && char.IsAsciiLetter(line[0]) && char.IsAsciiLetter(line[1]) && char.IsAsciiLetter(line[2]) && line[3] == ' '
            && TryReadMonthDayTime(line, 4, out month, out day, out hour, out minute, out second)
            && line[19] == ' ' && Digits(line.Slice(20, 4), out year);
    }

    /// <summary><c>Mmm dd HH:MM:SS</c> at <paramref name="at"/>, the day two digits or a space and one.</summary>
    private static bool TryReadMonthDayTime(ReadOnlySpan<char> line, int at, out int month, out int day, out int hour, out int minute, out int second)
    {
        (month, day, hour, minute, second) = (0, 0, 0, 0, 0);
        if (line.Length < at + 15 || line[at + 3] != ' ' || line[at + 6] != ' ' || line[at + 9] != ':' || line[at + 12] != ':')
        {
            return false;
        }

        month = MonthNumber(line.Slice(at, 3));
        var dayText = line[at + 4] == ' ' ? line.Slice(at + 5, 1) : line.Slice(at + 4, 2);
        return month > 0 && Digits(dayText, out day) && Digits(line.Slice(at + 7, 2), out hour) && Digits(line.Slice(at + 10, 2), out minute) && Digits(line.Slice(at + 13, 2), out second);
    }

    private static int MonthNumber(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < Months.Length; i++)
        {
            if (name.SequenceEqual(Months[i]))
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static bool Digits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return text.Length > 0;
    }


    private void Sweep(DateTimeOffset now)
    {
        linesSinceSweep = 0;
        sessions.Sweep(now - Horizon);
        messages.Sweep(now - Horizon);
        deliveries.Sweep(now - Horizon);
    }

    private static string Key(string relay, long id) => relay + "/" + id.ToString(CultureInfo.InvariantCulture);

    private readonly record struct LineContext(DateTimeOffset Timestamp, string Relay, string File, long Line);

    private sealed class Message : ICorrelationState
    {
        public ClientSession? Session { get; set; }

        public MessageState State { get; } = new();

        /// <summary>The recipients accepted, by RID, for the deliveries that name them by number.</summary>
        public Dictionary<int, string> Recipients { get; } = [];

        public DateTimeOffset LastSeen { get; set; }
    }

    private sealed class Delivery(string hop) : ICorrelationState
    {
        public string Hop { get; } = hop;

        public DateTimeOffset LastSeen { get; set; }
    }
}
