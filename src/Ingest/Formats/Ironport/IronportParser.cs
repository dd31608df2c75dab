using System.Globalization;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// Reads Cisco Secure Email (IronPort) mail_logs, the appliance's own file or through syslog, with
/// <see cref="IronportLineKinds"/>, and correlates them by the ids AsyncOS writes on every line: a
/// connection's lines share its ICID (from <c>New SMTP ICID</c> to <c>ICID … close</c>), a message's its MID
/// (the client, sender, recipients by RID and Message-ID it gathered before <c>ready … bytes</c>), a delivery
/// connection's its DCID (the address it went to). Lines of another level than <c>Info</c> are the
/// appliance's alerts about itself and debugging detail, skipped. The relay is <c>--relay</c>, else the
/// syslog host, else the folder the file is in. Correlation state idle for longer than <see cref="Horizon"/> is dropped.
/// </summary>
internal sealed class IronportParser : ILogParser
{
    private const int SweepEvery = 50_000;
    private const int MaxCaptures = 8;

    private static readonly IronportKindIndex Kinds = new(IronportLineKinds.All);

    private readonly IronportCorrelation state = new();
    private long linesSinceSweep;

    public string Source => "ironport";

    /// <summary>How long correlation state may sit idle before it is dropped. Default 7 days (a delayed message is retried for days).</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(7);

    public int OpenSessions => state.Sessions.Count;

    public int OpenMessages => state.Messages.Count;

    public LineResult Parse(ReadOnlySpan<char> line, LineOrigin origin, long lineNumber)
    {
        if (line.IsWhiteSpace())
        {
            return LineResult.Skipped("blank line");
        }

        if (!IronportPrefixReader.TryRead(line, out var prefix))
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
            linesSinceSweep = 0;
            state.Sweep(timestamp - Horizon);
        }

        if (prefix.Level != "Info")
        {
            return LineResult.Skipped("ironport." + prefix.Level.ToLowerInvariant());
        }

        var relay = origin.Relay ?? (prefix.Host.Length > 0 ? prefix.Host : origin.FolderOr("ironport"));
        var text = line[prefix.TextStart..].TrimEnd();
        var stamp = new EventStamp(timestamp, relay, Source, origin.File, lineNumber);
        Span<Range> captures = stackalloc Range[MaxCaptures];
        var candidates = Kinds.For(text);
        foreach (var group in (ReadOnlySpan<IronportKind[]>)[candidates.Exact, candidates.ByFirstWord, candidates.Any])
        {
            foreach (var kind in group)
            {
                if (kind.Line.Template.TryMatch(text, captures))
                {
                    return Apply(kind, new LineFields(text, kind.Line.Template, captures), text, stamp);
                }
            }
        }

        return LineResult.Unrecognised("unknown ironport line");
    }

    /// <summary>Whether a line looks like a mail_logs line, for format detection.</summary>
    public static bool LooksLikeMailLog(string line) =>
        IronportPrefixReader.TryRead(line, out var prefix) && (prefix.LogName is "" or "mail_logs");

    private LineResult Apply(IronportKind kind, LineFields fields, ReadOnlySpan<char> text, EventStamp stamp)
    {
        var name = kind.Line.Name;
        if (!TryId(fields, "icid", out var icid) || !TryId(fields, "mid", out var mid) || !TryId(fields, "dcid", out var dcid))
        {
            return LineResult.Unrecognised("unreadable id in " + name);
        }

        var eventName = kind.Line.EventFor(fields);
        var relay = stamp.Relay;
        switch (kind.Step)
        {
            case IronportStep.Note:
                return LineResult.Skipped(name);

            case IronportStep.Connect:
                if (ClientAddress.Canonical(fields.Get("client_ip")) is not { } ip)
                {
                    return LineResult.Unrecognised("unreadable ironport connection line");
                }

                var host = fields.Get("client_host");
                var verified = fields.Get("verified").SequenceEqual("yes") && !host.IsEmpty && !host.SequenceEqual("unknown");
                var opened = new ClientSession(string.Create(CultureInfo.InvariantCulture, $"{relay}/icid/{icid}"), ip, verified ? host.ToString() : "unknown")
                {
                    LastSeen = stamp.Timestamp,
                };
                state.Sessions.Set(IronportCorrelation.Key(relay, icid), opened);
                return Recorded(name, SessionEvent(stamp, eventName!, opened));

            case IronportStep.ConnectionEnd:
                var key = IronportCorrelation.Key(relay, icid);
                if (state.Sessions.Find(key, stamp.Timestamp) is not { } ending)
                {
                    return LineResult.Skipped("ironport.close_of_unknown");
                }

                state.Sessions.Remove(key);
                return Recorded(name, SessionEvent(stamp, eventName!, ending));

            case IronportStep.HostAccessVerdict:
                if (eventName is null)
                {
                    return LineResult.Skipped(name);
                }

                if (state.Session(relay, icid, stamp.Timestamp) is not { } refused)
                {
                    return LineResult.Unrecognised("ironport verdict for an unknown connection");
                }

                var verdict = fields.Get("verdict");
                var tail = fields.Get("detail");
                return Recorded("ironport.hat_reject", SessionEvent(stamp, eventName, refused) with
                {
                    // A sender group matched by reputation (SBRS) refuses as a DNS blocklist does.
                    Reason = tail.Contains("sbrs[", StringComparison.Ordinal) ? Reasons.Rbl : Reasons.ClientRejected,
                    SmtpCode = verdict.SequenceEqual("REJECT") ? (ushort)554 : (ushort)0,
                    Detail = string.Concat(verdict, " SG ", tail),
                });

            case IronportStep.ConnectionSignal:
                if (state.Session(relay, icid, stamp.Timestamp) is not { } signalled)
                {
                    return LineResult.Unrecognised(name + " on an unknown connection");
                }

                var said = fields.GetString("detail");
                return Recorded(name, SessionEvent(stamp, eventName!, signalled) with
                {
                    MailFrom = fields.Has("mail_from") ? Envelope.Bracketed(fields.Get("mail_from")) : string.Empty,
                    Detail = said,
                    Reason = eventName == EventNames.Reject ? kind.Reason ?? ReplyReasons.Classify(said) : string.Empty,
                });

            case IronportStep.AuthSucceeded:
                if (state.Session(relay, icid, stamp.Timestamp) is { } loggedIn)
                {
                    loggedIn.SaslUser = fields.GetString("sasl_user");
                }

                return LineResult.Skipped(name);

            case IronportStep.AuthFailed:
                if (state.Session(relay, icid, stamp.Timestamp) is not { } guessed)
                {
                    return LineResult.Unrecognised("ironport SMTP AUTH on an unknown connection");
                }

                return Recorded(name, SessionEvent(stamp, eventName!, guessed) with
                {
                    SaslUser = fields.GetString("sasl_user"),
                    // What follows "(ICID n)": the ICID was read as digits, so its bracket is the first.
                    Detail = text[(text.IndexOf(')') + 1)..].Trim().ToString(),
                });

            case IronportStep.MessageStart:
                state.Messages.Set(IronportCorrelation.Key(relay, mid), new IronportMessage { Session = state.Session(relay, icid, stamp.Timestamp), LastSeen = stamp.Timestamp });
                return LineResult.Skipped(name);

            case IronportStep.DeliveryConnection:
                var port = fields.Get("port");
                var hop = port.IsEmpty ? $"[{fields.Get("next_hop_ip")}]" : $"[{fields.Get("next_hop_ip")}]:{port.Trim()}";
                state.Deliveries.Set(IronportCorrelation.Key(relay, dcid), new IronportDelivery(hop) { LastSeen = stamp.Timestamp });
                return LineResult.Skipped(name);

            case IronportStep.MessageFinished:
                state.Messages.Remove(IronportCorrelation.Key(relay, mid));
                return LineResult.Skipped(name);

            default:
                return state.ApplyToMessage(kind, fields, stamp, mid, dcid, fields.Has("icid") ? icid : null);
        }
    }

    /// <summary>An event of a connection's client.</summary>
    public static SmtpEvent SessionEvent(EventStamp stamp, string eventName, ClientSession session) => new(stamp, eventName)
    {
        ClientIp = session.Ip,
        ClientHost = session.Host,
        SessionId = session.Id,
        SaslUser = session.SaslUser,
    };

    public static LineResult Recorded(string kind, SmtpEvent smtp) => new(LineOutcome.Event, kind, smtp);

    /// <summary>The id a field holds (AsyncOS's counters: up to 18 digits); 0 when the kind has no such field, false when it is unreadable.</summary>
    public static bool TryId(LineFields fields, string name, out long id)
    {
        id = 0;
        var text = fields.Get(name);
        return !fields.Has(name) || (text.Length is > 0 and <= 18 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id));
    }
}
