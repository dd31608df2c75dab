using System.Text.Json;
using RelayWatch.Analysis.Detection;

namespace RelayWatch.Analysis.Scoring;

/// <summary>Whom a finding concerns, for labelling: its subject, or addresses its evidence lists.</summary>
public enum LabelTarget
{
    /// <summary>The subject, and every address it covers when it is a network.</summary>
    Subject,

    /// <summary>Only the addresses the evidence lists under <c>members</c> (a network's harvesters, a campaign's addresses).</summary>
    Members,

    /// <summary>Only the evidence's <c>clients</c> that lie in one of its <c>new_networks</c> (a stolen login's, not its owner's home).</summary>
    NewNetworkClients,

    /// <summary>The evidence's <c>sample_servers</c> (a backscatter wave's bouncing servers).</summary>
    SampleServers,

    /// <summary>The subject when it is one address; when it is a network, only the addresses the evidence lists under <c>members</c>.</summary>
    AddressOrMembers,
}

/// <summary>One row of the table: what a finding of one detector (and rule) teaches the model about the addresses it concerns.</summary>
/// <param name="Rule">The evidence's <c>rule</c>; null for every rule of the detector.</param>
/// <param name="Bad">True: learnt as bad. False: innocent by kind — neither learnt (as bad or as good) nor measured on.</param>
/// <param name="Why">The reason, as docs/scoring.md gives it.</param>
public sealed record FindingLabelRule(string Detector, string? Rule, bool Bad, LabelTarget Whom, string Why);

/// <summary>
/// The explicit rule "finding kind → label or no label" (docs/scoring.md, Labels). The model's labels come
/// from findings, so whatever a finding covers is what the model learns as bad. Two things must never be:
/// servers that only bounce (a backscatter wave's servers, a lone server bouncing unmatched mail — other
/// organisations' innocent receivers of forged spam), and big legitimate pools (a webmail or newsletter
/// provider's /24) that merely share a network with a harvester. So bounce findings are innocent by kind,
/// and a finding whose subject is a network, or a campaign, labels only the addresses its evidence names.
/// A detector or rule not in the table labels its subject bad when that is one address, and a network's
/// named members only when it is a network — never a whole network on unreadable evidence.
/// </summary>
public static class FindingLabels
{
    public static IReadOnlyList<FindingLabelRule> Table { get; } =
    [
        new(DetectorNames.DirectoryHarvest, "per_ip", true, LabelTarget.Subject, "the address tried mostly unknown recipients (a pool address is judged with its pool)"),
        new(DetectorNames.DirectoryHarvest, "shared_dictionary", true, LabelTarget.Subject, "each member address tried a dictionary other networks' quiet harvesters tried"),
        new(DetectorNames.DirectoryHarvest, "network", true, LabelTarget.Members, "only the members that tried unknown recipients; the rest of the /24 or /48 — a webmail or newsletter pool beside a harvester — is not blamed"),
        new(DetectorNames.RelayProbe, null, true, LabelTarget.Subject, "it probed the relays for relaying"),
        new(DetectorNames.OpenRelay, null, true, LabelTarget.Subject, "it had mail relayed to foreign domains"),
        new(DetectorNames.Spoofing, null, true, LabelTarget.Subject, "it sent as our domain or a look-alike from outside, unauthenticated, and no clearing (SPF pass, established sender, SRS forwarder) applied"),
        new(DetectorNames.AuthBruteForce, null, true, LabelTarget.Subject, "it guessed passwords"),
        new(DetectorNames.BounceSource, null, true, LabelTarget.Subject, "its mail, accepted and undeliverable, made our relays send backscatter to forged senders: it is the spammer, not a bouncer"),
        new(DetectorNames.CompromisedAccount, null, true, LabelTarget.NewNetworkClients, "the addresses in networks the login never used before sent its spam; its owner's usual addresses are not blamed"),
        new(DetectorNames.Snowshoe, null, true, LabelTarget.Members, "every member address of the campaign"),
        new(DetectorNames.DmarcForgery, null, true, LabelTarget.Subject, "other receivers saw it send as our domain failing DMARC (only one that also talked to our relays has features to learn from)"),
        new(DetectorNames.OutboundAuthFailure, null, false, LabelTarget.Subject, "our own relay whose mail failed SPF or DKIM elsewhere: a misconfiguration, never an attacker"),
        new(DetectorNames.Backscatter, "unmatched_bounces", false, LabelTarget.Subject, "a server bouncing mail that forged our domain: an innocent receiver of somebody else's spam"),
        new(DetectorNames.Backscatter, "wave", false, LabelTarget.SampleServers, "a wave's bouncing servers are innocent receivers; the subject is our forged domain"),
    ];

    /// <summary>
    /// The table as it was before issue 17's labels work, kept to measure the new one against: every finding's
    /// subject and whatever it covers bad, except a backscatter finding's, left out.
    /// </summary>
    public static IReadOnlyList<FindingLabelRule> SubjectsOnly { get; } =
    [
        new(DetectorNames.Backscatter, null, false, LabelTarget.Subject, "bouncing servers are left out"),
        new(AnyDetector, null, true, LabelTarget.Subject, "every other finding: its subject and all it covers"),
    ];

    /// <summary>A row for every detector the table names no row for.</summary>
    public const string AnyDetector = "*";

    /// <summary>The row of <paramref name="table"/> for a finding: its detector and rule, else its detector, else its subject bad.</summary>
    public static FindingLabelRule For(IReadOnlyList<FindingLabelRule> table, string detector, string? rule)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.FirstOrDefault(r => r.Detector == detector && r.Rule is not null && r.Rule == rule)
            ?? table.FirstOrDefault(r => r.Detector == detector && r.Rule is null)
            ?? table.FirstOrDefault(r => r.Detector == AnyDetector)
            ?? new FindingLabelRule(detector, null, true, LabelTarget.AddressOrMembers, "a detector or rule not in the table: its subject is bad when it is one address, a network's named members when it is a network");
    }

    /// <summary>The networks (single addresses as /32 or /128) a finding's label applies to, under <paramref name="table"/>.</summary>
    public static (FindingLabelRule Rule, IReadOnlyList<System.Net.IPNetwork> Networks) Apply(IReadOnlyList<FindingLabelRule> table, Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        using var evidence = TryParse(finding.Evidence);
        var root = evidence?.RootElement;
        var ruleName = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("rule", out var ruleText) && ruleText.ValueKind == JsonValueKind.String ? ruleText.GetString() : null;
        var rule = For(table, finding.Detector, ruleName);
        IReadOnlyList<System.Net.IPNetwork> networks = rule.Whom switch
        {
            LabelTarget.Subject => Subjects.ParseNetwork(finding.Subject) is { } subject ? [subject] : [],
            LabelTarget.Members => Addresses(root, "members"),
            LabelTarget.SampleServers => Addresses(root, "sample_servers"),
            LabelTarget.NewNetworkClients => NewNetworkClients(root),
            LabelTarget.AddressOrMembers => Subjects.ParseNetwork(finding.Subject) is { } one && one.PrefixLength == (one.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                ? [one] : Addresses(root, "members"),
            _ => [],
        };
        return (rule, networks);
    }

    private static List<System.Net.IPNetwork> NewNetworkClients(JsonElement? root)
    {
        var fresh = Addresses(root, "new_networks");
        return [.. Addresses(root, "clients").Where(c => fresh.Any(n => n.Contains(c.BaseAddress)))];
    }

    private static List<System.Net.IPNetwork> Addresses(JsonElement? root, string property) =>
        root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => Subjects.ParseNetwork(e.GetString()!)).OfType<System.Net.IPNetwork>()]
            : [];

    private static JsonDocument? TryParse(string evidence)
    {
        try
        {
            return JsonDocument.Parse(evidence);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
