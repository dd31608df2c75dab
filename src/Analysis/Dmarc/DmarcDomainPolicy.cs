using System.Globalization;

namespace RelayWatch.Analysis.Dmarc;

/// <summary>One of our domains as the reports see it: its published policy, and how much mail passed and failed, ours and others'.</summary>
/// <param name="P">The newest policy the reports found published (<c>none</c>, <c>quarantine</c>, <c>reject</c>).</param>
/// <param name="OursMessages">Mail from our own relays and networks.</param>
/// <param name="OursFailing">Of it, mail failing DMARC.</param>
/// <param name="Forged">Mail from elsewhere failing DMARC: forgery, or a sender of ours we do not know of.</param>
/// <param name="ForgedDelivered">Of it, what receivers delivered anyway (disposition none).</param>
public sealed record DmarcDomainPolicy(
    string Domain,
    string P,
    byte Pct,
    ulong Messages,
    ulong OursMessages,
    ulong OursFailing,
    ulong Forged,
    ulong ForgedDelivered)
{
    /// <summary>Advice for the next step of the policy, in one sentence.</summary>
    public string Advice =>
        OursMessages == 0
            ? "no mail from our relays or networks in these reports: check estate.relayAddresses (and senders of ours elsewhere) before tightening the policy"
            : OursFailing > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{OursFailing:N0} of our own {OursMessages:N0} message(s) failed DMARC: fix SPF/DKIM before tightening the policy")
                : P switch
                {
                    "none" => string.Create(CultureInfo.InvariantCulture, $"our mail passes; {ForgedDelivered:N0} forged message(s) were delivered under p=none: move to p=quarantine"),
                    "quarantine" when Pct < 100 => $"our mail passes; raise pct from {Pct} to 100, then move to p=reject",
                    "quarantine" => "our mail passes and forgery is quarantined: move to p=reject",
                    "reject" => "p=reject: receivers refuse the forgery",
                    _ => "no policy published: publish p=none with a rua= address to start",
                };
}
