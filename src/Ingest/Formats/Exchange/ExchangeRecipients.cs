namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// A tracking record's recipients: <c>recipient-address</c> lists them separated by <c>;</c>, and
/// <c>recipient-status</c> gives each its status in the same order, also separated by <c>;</c> — but a status may
/// hold a <c>;</c> of its own (<c>550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found…</c>), so the
/// statuses are split only where a <c>;</c> is followed by a reply code, and used one by one only when there are
/// as many as recipients; otherwise every recipient gets the whole text.
/// </summary>
internal static class ExchangeRecipients
{
    public static IReadOnlyList<(string Address, string Status)> Read(string addresses, string status)
    {
        var recipients = Envelope.List(addresses, ';');
        var statuses = recipients.Count > 1 ? Statuses(status) : [];
        return [.. recipients.Select((address, i) => (address, statuses.Count == recipients.Count ? statuses[i] : status))];
    }

    private static List<string> Statuses(string status)
    {
        var statuses = new List<string>();
        var start = 0;
        for (var at = status.IndexOf(';'); at >= 0; at = status.IndexOf(';', at + 1))
        {
            if (SmtpReply.LeadingCode(status.AsSpan(at + 1)) != 0)
            {
                statuses.Add(status[start..at]);
                start = at + 1;
            }
        }

        statuses.Add(status[start..]);
        return statuses;
    }
}
