using System.Buffers;
using RelayWatch.Store.Vocabulary;

namespace RelayWatch.Ingest.Events;

/// <summary>
/// How a rejection's reply text maps to a value of <c>smtp_events.reason</c> (<see cref="Reasons"/>,
/// the schema's vocabulary). The phrases are the MTAs' own wording (Postfix, Sendmail, Exim, Domino,
/// Exchange, ESA).
/// </summary>
public static class ReplyReasons
{
    /// <summary>The phrases in priority order: where several appear, the first in this table names the reason.</summary>
    internal static readonly (string Phrase, string Reason)[] Phrases =
    [
        // Before "does not exist": Sendmail's refusal of a sender whose domain does not resolve.
        ("Domain of sender address", Reasons.SenderRejected),
        ("User unknown", Reasons.UserUnknown),
        ("user unknown", Reasons.UserUnknown),
        ("Unknown user", Reasons.UserUnknown),
        ("unknown user", Reasons.UserUnknown),
        ("No such user", Reasons.UserUnknown),
        ("no such user", Reasons.UserUnknown),
        ("mailbox unavailable", Reasons.UserUnknown),
        ("Mailbox unavailable", Reasons.UserUnknown),
        ("does not exist", Reasons.UserUnknown),
        ("No Such User", Reasons.UserUnknown),
        ("Unrouteable address", Reasons.UserUnknown),
        ("not listed in Domino Directory", Reasons.UserUnknown),
        ("RecipientNotFound", Reasons.UserUnknown),
        ("Recipient not found", Reasons.UserUnknown),
        ("not listed in the Domino Directory", Reasons.UserUnknown),
        ("Relay access denied", Reasons.RelayDenied),
        ("Relaying denied", Reasons.RelayDenied),
        ("relay not permitted", Reasons.RelayDenied),
        ("Relay rejected", Reasons.RelayDenied),
        ("Unable to relay", Reasons.RelayDenied),
        ("blocked using", Reasons.Rbl),
        ("Blocked using", Reasons.Rbl),
        ("listed at", Reasons.Rbl),
        ("DNSBL", Reasons.Rbl),
        ("in an RBL", Reasons.Rbl),
        ("DNS Blacklist", Reasons.Rbl),
        ("DNS blacklist", Reasons.Rbl),

        // Exchange's connection filtering, refusing for an IP block list provider (its default response).
        ("found on a block list", Reasons.Rbl),
        ("Sender address rejected", Reasons.SenderRejected),
        ("Helo command rejected", Reasons.HeloRejected),
        ("Client host rejected", Reasons.ClientRejected),
        ("not found in reverse DNS", Reasons.ClientRejected),
        ("failed to match directory address", Reasons.SenderRejected),
        ("policy", Reasons.Policy),
        ("Policy", Reasons.Policy),
    ];

    /// <summary>The reason a rejection's text gives; <see cref="Reasons.Other"/> when none of the known phrases appears.</summary>
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

    /// <summary>
    /// Below this length a text is scanned a phrase at a time: measured (bench/README.md, 2026-12-08), the one-pass search
    /// costs about twice the scans on a reply of 12 characters and about the same at 19, ties at 104 with several phrases,
    /// and wins 1.5–4× from about 50 characters on.
    /// </summary>
    private const int ShortText = 32;

    /// <summary>Where any phrase of <see cref="Phrases"/> starts: one vectorised search instead of a scan a phrase.</summary>
    private static readonly SearchValues<string> Starts =
        SearchValues.Create(Phrases.Select(p => p.Phrase).ToArray(), StringComparison.Ordinal);

    /// <summary>
    /// The reason of the first phrase in table order that appears anywhere in <paramref name="detail"/> — what a
    /// <c>Contains</c> a phrase in table order finds — in one pass for a text of <see cref="ShortText"/> or more: <see cref="Starts"/> finds each position where
    /// some phrase starts, and the phrases starting there are checked, keeping the lowest table index.
    /// </summary>
    private static string ClassifyText(ReadOnlySpan<char> detail)
    {
        if (detail.Length < ShortText)
        {
            // A short reply ("relay not permitted", "User unknown"): a Contains a phrase is cheaper than the search's set-up.
            foreach (var (phrase, reason) in Phrases)
            {
                if (detail.Contains(phrase, StringComparison.Ordinal))
                {
                    return reason;
                }
            }

            return Reasons.Other;
        }

        var best = Phrases.Length;
        var from = 0;
        while (from < detail.Length)
        {
            var found = detail[from..].IndexOfAny(Starts);
            if (found < 0)
            {
                break;
            }

            var at = detail[(from + found)..];
            // Only phrases before the best so far can improve on it.
            for (var i = 0; i < best; i++)
            {
                if (at.StartsWith(Phrases[i].Phrase, StringComparison.Ordinal))
                {
                    best = i;
                    break;
                }
            }

            if (best == 0)
            {
                break;
            }

            from += found + 1;
        }

        return best < Phrases.Length ? Phrases[best].Reason : Reasons.Other;
    }

    /// <summary>Blanks each <c>&lt;…&gt;</c> (<see cref="Formats.QuotedText.AngledEnd"/>); a bracket never closed is left as it is.</summary>
    internal static void BlankAddresses(Span<char> text)
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
