namespace RelayWatch.Ingest.Events;

/// <summary>
/// The values of <c>smtp_events.reason</c>, and how a rejection's reply text maps to them. The
/// phrases are the MTAs' own wording (Postfix, Sendmail, Exim, Domino, Exchange, ESA).
/// </summary>
public static class Reasons
{
    public const string UserUnknown = "user_unknown";
    public const string RelayDenied = "relay_denied";
    public const string Rbl = "rbl";
    public const string SenderRejected = "sender_rejected";
    public const string HeloRejected = "helo_rejected";
    public const string ClientRejected = "client_rejected";
    public const string Policy = "policy";
    public const string Other = "other";

    private static readonly (string Phrase, string Reason)[] Phrases =
    [
        // Before "does not exist": Sendmail's refusal of a sender whose domain does not resolve.
        ("Domain of sender address", SenderRejected),
        ("User unknown", UserUnknown),
        ("user unknown", UserUnknown),
        ("Unknown user", UserUnknown),
        ("unknown user", UserUnknown),
        ("No such user", UserUnknown),
        ("no such user", UserUnknown),
        ("mailbox unavailable", UserUnknown),
        ("Mailbox unavailable", UserUnknown),
        ("does not exist", UserUnknown),
        ("No Such User", UserUnknown),
        ("Unrouteable address", UserUnknown),
        ("not listed in Domino Directory", UserUnknown),
        ("RecipientNotFound", UserUnknown),
        ("Recipient not found", UserUnknown),
        ("not listed in the Domino Directory", UserUnknown),
        ("Relay access denied", RelayDenied),
        ("Relaying denied", RelayDenied),
        ("relay not permitted", RelayDenied),
        ("Relay rejected", RelayDenied),
        ("Unable to relay", RelayDenied),
        ("blocked using", Rbl),
        ("Blocked using", Rbl),
        ("listed at", Rbl),
        ("DNSBL", Rbl),
        ("in an RBL", Rbl),
        ("DNS Blacklist", Rbl),
        ("DNS blacklist", Rbl),

        // Exchange's connection filtering, refusing for an IP block list provider (its default response).
        ("found on a block list", Rbl),
        ("Sender address rejected", SenderRejected),
        ("Helo command rejected", HeloRejected),
        ("Client host rejected", ClientRejected),
        ("not found in reverse DNS", ClientRejected),
        ("failed to match directory address", SenderRejected),
        ("policy", Policy),
        ("Policy", Policy),
    ];

    /// <summary>The reason a rejection's text gives; <see cref="Other"/> when none of the known phrases appears.</summary>
    /// <remarks>
    /// Addresses in angle brackets are the client's words echoed in the reply (<c>&lt;"User unknown"@elsewhere&gt;:
    /// Relay access denied</c>): they are not read, so a client cannot pick the reason its refusal is filed under.
    /// </remarks>
    public static string Classify(ReadOnlySpan<char> detail)
    {
        if (detail.IndexOf('<') >= 0)
        {
            var copy = detail.Length <= 1024 ? stackalloc char[detail.Length] : new char[detail.Length];
            detail.CopyTo(copy);
            BlankAddresses(copy);
            return ClassifyText(copy);
        }

        return ClassifyText(detail);
    }

    private static string ClassifyText(ReadOnlySpan<char> detail)
    {
        foreach (var (phrase, reason) in Phrases)
        {
            if (detail.Contains(phrase, StringComparison.Ordinal))
            {
                return reason;
            }
        }

        return Other;
    }

    /// <summary>Blanks each <c>&lt;…&gt;</c> (<see cref="Formats.QuotedText.AngledEnd"/>); a bracket never closed is left as it is.</summary>
    private static void BlankAddresses(Span<char> text)
    {
        var at = text.IndexOf('<');
        while (at >= 0 && at < text.Length)
        {
            var end = Formats.QuotedText.AngledEnd(text, at);
            if (end > 0)
            {
                text[at..end].Fill(' ');
            }

            var next = text[(at + 1)..].IndexOf('<');
            at = next < 0 ? -1 : at + 1 + next;
        }
    }
}
