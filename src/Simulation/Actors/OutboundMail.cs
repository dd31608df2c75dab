using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// Our users' outbound mail: Domino hands it to the relay, which delivers it to the big providers.
/// Now and then the far side accepts a message and bounces it later, so a genuine null-sender bounce
/// comes back to the user who really sent that mail — which a backscatter detector must not flag.
/// And now and then the far side refuses the recipient outright (a mistyped address): then our relay
/// makes the bounce itself and hands it to Domino for the user — our own non-delivery notice, which
/// neither the backscatter nor the bounce-source detector may take for an attack. And now and then
/// the far side refuses for now (451): the relay keeps the message and delivers it on a later try.
/// </summary>
internal sealed class OutboundMail(Estate estate, SimLog log, double scale, int seed, int actorIndex) : IActor
{
    /// <summary>Outbound messages on a weekday at scale 1 (a third of inbound).</summary>
    internal const int MessagesPerDayAtScaleOne = 45_000;
    private const double LateBounceRate = 0.02;
    private const double RefusedRate = 0.01;
    private const double DeferredRate = 0.02;
    private const string DominoIp = DominoServer.Ip;
    private const string BounceHost = "mx1.bigmail.example";
    private const string BounceIp = "192.0.2.100";

    private long messages;
    private long bounces;
    private long refused;
    private long deferred;
    private DateTimeOffset? first;
    private DateTimeOffset last;

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var volume = (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.2 : 1.0) * estate.Growth(day);
        var starts = Enumerable.Range(0, (int)Math.Round(MessagesPerDayAtScaleOne * scale * volume)).Select(_ => SimRandom.Diurnal(random, day)).Order().ToList();
        var bouncesLater = new PriorityQueue<string, DateTimeOffset>();
        foreach (var start in starts)
        {
            while (bouncesLater.TryPeek(out _, out var due) && due <= start)
            {
                yield return Bounce(random, due, bouncesLater.Dequeue());
            }

            var user = $"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}";
            var remoteUser = $"{SimRandom.Pick(random, Estate.FirstNames)}{random.Next(1, 999)}@bigmail.example";
            var provider = random.Next(1, 61);
            var pid = 20_000 + random.Next(5000);
            var size = random.Next(3_000, 900_000);
            var session = new SmtpSession(log, pid, estate.DominoServer.Host, DominoIp, estate.DominoServer.Host, start);
            estate.DominoServer.Transfer(session, start.AddSeconds(-0.1), random, user, remoteUser, size);
            session.Connect();
            session.AcceptRcpt();
            var queueId = SimRandom.QueueId(random);
            session.Wait(0.2).Client(queueId, user, [remoteUser]);
            session.Wait(0.01).Add("cleanup.message_id", new() { ["queue_id"] = queueId, ["message_id"] = $"OF{random.Next():X8}.{random.Next():X8}@{estate.Domain}" }, "postfix/cleanup", pid + 1);
            session.Wait(0.02).Add("qmgr.queued", new()
            {
                ["queue_id"] = queueId, ["mail_from"] = user, ["size"] = size.ToString(CultureInfo.InvariantCulture), ["nrcpt"] = "1",
            }, "postfix/qmgr", 900);
            session.Wait(0.05).Disconnect(withMessage: true);
            var delay = 0.5 + random.NextDouble();
            var (remoteHost, remoteIp) = (string.Create(CultureInfo.InvariantCulture, $"mx{provider % 4 + 1}.bigmail.example"), string.Create(CultureInfo.InvariantCulture, $"192.0.2.{100 + (provider % 4)}"));
            var delivery = new Dictionary<string, string>
            {
                ["queue_id"] = queueId, ["rcpt_to"] = remoteUser, ["next_hop"] = $"{remoteHost}[{remoteIp}]:25",
                ["delay"] = SimRandom.Seconds(delay + 0.3), ["delays"] = "0.05/0.01/0.2/" + SimRandom.Seconds(delay),
                ["dsn"] = "2.0.0", ["status"] = "sent", ["detail"] = $"250 2.0.0 OK {random.Next():x8} - gsmtp",
            };
            if (random.NextDouble() < RefusedRate)
            {
                (delivery["dsn"], delivery["status"], delivery["detail"]) = ("5.1.1", "bounced",
                    $"host {remoteHost}[{remoteIp}] said: 550 5.1.1 <{remoteUser}>: Recipient address rejected: User unknown (in reply to RCPT TO command)");
                session.Wait(delay).Add("delivery", delivery, "postfix/smtp", pid + 2);
                NotifySender(session, random, queueId, user, pid);
                refused++;
            }
            else
            {
                // A retry past midnight would belong to tomorrow's stream: late messages are not deferred.
                var deferredFirst = random.NextDouble() < DeferredRate && start.TimeOfDay < TimeSpan.FromHours(23.5);
                if (deferredFirst)
                {
                    var retry = new Dictionary<string, string>(delivery)
                    {
                        ["dsn"] = "4.7.1", ["status"] = "deferred",
                        ["detail"] = $"host {remoteHost}[{remoteIp}] said: 451 4.7.1 Please try again later (in reply to RCPT TO command)",
                    };
                    session.Wait(delay).Add("delivery", retry, "postfix/smtp", pid + 2);
                    // The queue manager brings it back from the deferred queue after the backoff — or, if the
                    // relay's site is dark by then, when it is back.
                    var backoff = 300 + random.Next(600);
                    backoff = (int)(log.Routing.UpAgain(session.Relay, session.Now.AddSeconds(backoff)) - session.Now).TotalSeconds;
                    session.Wait(backoff).Add("qmgr.queued", new()
                    {
                        ["queue_id"] = queueId, ["mail_from"] = user, ["size"] = size.ToString(CultureInfo.InvariantCulture), ["nrcpt"] = "1",
                    }, "postfix/qmgr", 900);
                    delivery["delay"] = SimRandom.Seconds(delay + backoff + 0.3);
                    delivery["delays"] = SimRandom.Seconds(backoff) + "/0.01/0.2/" + SimRandom.Seconds(delay);
                    deferred++;
                }

                // The retry is another delivery process.
                session.Wait(delay).Add("delivery", delivery, "postfix/smtp", deferredFirst ? pid + 5 : pid + 2);
                session.Wait(0.01).Add("qmgr.removed", new() { ["queue_id"] = queueId }, "postfix/qmgr", 900);
            }

            messages++;
            first ??= start;
            last = session.Now;
            if (random.NextDouble() < LateBounceRate)
            {
                // The far side accepted it and bounces it later: a genuine bounce to the real sender.
                bouncesLater.Enqueue(user, session.Now.AddMinutes(2 + random.Next(60)));
            }

            yield return session.Lines;
        }

        // Sessions must come in order of their start, so due bounces were yielded between the
        // outbound messages above; the rest of today's follow. (Late ones past midnight are dropped.)
        while (bouncesLater.TryDequeue(out var user, out var due))
        {
            if (DateOnly.FromDateTime(due.UtcDateTime) == day)
            {
                yield return Bounce(random, due, user);
            }
        }
    }

    /// <summary>The relay's own bounce of a refused outbound message, handed to Domino for the user who sent it.</summary>
    private void NotifySender(SmtpSession session, Random random, string queueId, string user, int pid)
    {
        var notification = SimRandom.QueueId(random);
        session.Wait(0.01).Add("bounce.ndr", new() { ["queue_id"] = queueId, ["ndr_queue_id"] = notification }, "postfix/bounce", pid + 3);
        session.Wait(0.01).Add("qmgr.removed", new() { ["queue_id"] = queueId }, "postfix/qmgr", 900);
        var messageId = string.Create(CultureInfo.InvariantCulture, $"{session.Now.ToUnixTimeSeconds()}.{notification}@{session.Relay}.{estate.Domain}");
        session.Wait(0.01).Add("cleanup.message_id", new() { ["queue_id"] = notification, ["message_id"] = messageId }, "postfix/cleanup", pid + 1);
        const int Size = 6_214;
        session.Wait(0.02).Add("qmgr.queued", new() { ["queue_id"] = notification, ["mail_from"] = string.Empty, ["size"] = Size.ToString(CultureInfo.InvariantCulture), ["nrcpt"] = "1" }, "postfix/qmgr", 900);
        session.Wait(0.3);
        estate.DominoServer.Receive(session, session.Now.AddSeconds(-0.02), random, string.Empty, [user], messageId, Size);
        session.Add("delivery", new()
        {
            ["queue_id"] = notification, ["rcpt_to"] = user, ["next_hop"] = estate.Domino, ["delay"] = "0.3", ["delays"] = "0.01/0.01/0.1/0.2",
            ["dsn"] = "2.0.0", ["status"] = "sent", ["detail"] = "250 Message accepted for delivery",
        }, "postfix/smtp", pid + 4);
        session.Wait(0.01).Add("qmgr.removed", new() { ["queue_id"] = notification }, "postfix/qmgr", 900);
    }

    private IReadOnlyList<SimLine> Bounce(Random random, DateTimeOffset at, string user)
    {
        last = at > last ? at : last;
        var session = new SmtpSession(log, 25_000 + random.Next(5000), BounceHost, BounceIp, BounceHost, at);
        session.Connect();
        InboundMessage.Accept(session, random, estate, string.Empty, [user], BounceHost, 25_000 + random.Next(5000));
        bounces++;
        return session.Lines;
    }

    public IEnumerable<TruthRecord> Truth()
    {
        if (first is { } start)
        {
            yield return new TruthRecord("legitimate", [DominoIp], start, last, log.Routing.RelaysOf(DominoIp), new Dictionary<string, object>
            {
                ["sender"] = "our_outbound", ["host"] = estate.DominoServer.Host, ["messages"] = messages, ["mistyped_recipients"] = 0L, ["genuine_bounces_back"] = bounces,
                ["refused_and_bounced_by_us"] = refused, ["deferred_then_delivered"] = deferred,
            });
        }

        if (bounces > 0)
        {
            yield return new TruthRecord("legitimate", [BounceIp], first!.Value, last, log.Routing.RelaysOf(BounceIp), new Dictionary<string, object>
            {
                ["sender"] = "genuine_bounces", ["host"] = BounceHost, ["messages"] = bounces, ["mistyped_recipients"] = 0L,
            });
        }
    }
}
