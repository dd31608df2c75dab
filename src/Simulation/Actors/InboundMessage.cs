using System.Globalization;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// The lines of a message the relay accepts and hands to Domino: client, cleanup, qmgr, deliveries,
/// removal — and Domino's console lines of taking it and delivering it to the mail files.
/// </summary>
internal static class InboundMessage
{
    /// <summary>Writes an accepted message in <paramref name="session"/>, disconnecting after DATA; deliveries follow.</summary>
    /// <param name="nextHop">Where the relay hands it on [default: our Domino server].</param>
    /// <param name="saslUser">The user the client logged in as, when it did.</param>
    /// <param name="size">The message's size [default: drawn between 2 and 120 KB].</param>
    /// <param name="hopOf">Where each recipient's copy goes, when the recipients are at different places outside (overrides <paramref name="nextHop"/>).</param>
    public static void Accept(
        SmtpSession session, Random random, Estate estate, string mailFrom, IReadOnlyList<string> recipients, string messageIdDomain, int pid,
        string? nextHop = null, string? saslUser = null, int? size = null, Func<string, string>? hopOf = null)
    {
        foreach (var _ in recipients)
        {
            session.AcceptRcpt();
        }

        var queueId = SimRandom.QueueId(random);
        if (saslUser is null)
        {
            session.Wait(0.3).Client(queueId, mailFrom, recipients);
        }
        else
        {
            session.Wait(0.3).AuthenticatedClient(queueId, saslUser, mailFrom, recipients);
        }

        var messageId = string.Create(CultureInfo.InvariantCulture, $"{session.Now.ToUnixTimeMilliseconds()}.{random.Next(1000, 9999)}@{messageIdDomain}");
        session.Wait(0.01).Add("cleanup.message_id", new() { ["queue_id"] = queueId, ["message_id"] = messageId }, "postfix/cleanup", pid + 1);
        var bytes = size ?? random.Next(2_000, 120_000);
        session.Wait(0.02).Add("qmgr.queued", new()
        {
            ["queue_id"] = queueId, ["mail_from"] = mailFrom, ["size"] = bytes.ToString(CultureInfo.InvariantCulture),
            ["nrcpt"] = recipients.Count.ToString(CultureInfo.InvariantCulture),
        }, "postfix/qmgr", 900);
        session.Wait(0.05).Disconnect(withMessage: true);
        var toDomino = nextHop is null && hopOf is null ? recipients.Where(r => !estate.Forwards.ContainsKey(r)).ToList() : [];
        foreach (var recipient in recipients)
        {
            var delay = 0.2 + random.NextDouble();
            var values = new Dictionary<string, string>
            {
                ["queue_id"] = queueId, ["rcpt_to"] = recipient, ["next_hop"] = hopOf?.Invoke(recipient) ?? nextHop ?? estate.Domino,
                ["delay"] = SimRandom.Seconds(delay + 0.4), ["delays"] = "0.1/0.01/0.05/" + SimRandom.Seconds(delay),
                ["dsn"] = "2.0.0", ["status"] = "sent", ["detail"] = "250 Message accepted for delivery",
            };
            if (estate.Forwards.TryGetValue(recipient, out var forward))
            {
                // The relay's alias map sends this mailbox's mail out; Postfix logs the address asked for as orig_to.
                (values["rcpt_to"], values["orig_rcpt_to"], values["next_hop"], values["detail"]) = (forward, recipient, Estate.ForwardHop, "250 2.0.0 Ok: queued");
            }

            session.Wait(delay);
            if (toDomino.Count > 0 && recipient == toDomino[0])
            {
                // Domino takes all its recipients in one transaction, answering just before the relay logs "sent".
                estate.DominoServer.Receive(session, session.Now.AddSeconds(-0.02), random, mailFrom, toDomino, messageId, bytes);
            }

            session.Add(values.ContainsKey("orig_rcpt_to") ? "delivery.orig_to" : "delivery", values, "postfix/smtp", pid + 2);
        }

        session.Wait(0.01).Add("qmgr.removed", new() { ["queue_id"] = queueId }, "postfix/qmgr", 900);
    }
}
