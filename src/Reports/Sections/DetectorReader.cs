using System.Globalization;
using System.Text.Json;
using RelayWatch.Analysis.Detection;
using RelayWatch.Reports.Content;
using static System.FormattableString;

namespace RelayWatch.Reports.Sections;

/// <summary>Reads one section per detector: the day's worst findings with their evidence, and what is new, continuing or gone.</summary>
internal static class DetectorReader
{
    /// <summary>Evidence lists worth an analyst's eye, by their key in the detectors' evidence JSON.</summary>
    private static readonly (string Key, string Label)[] EvidenceLists =
    [
        ("members", "Member IPs"), ("exposed_mailboxes", "Exposed mailboxes"), ("probe_types", "Probe types"),
        ("forged_senders", "Forged senders"), ("bounced_to", "Bounced to"), ("targets", "Bounced-to users"),
        ("sample_unknown", "Tried"), ("sample_recipients", "Recipients"), ("helos", "HELO"), ("relays", "Relays"),
        ("sample_servers", "Bouncing servers"), ("sample_targets", "Targets"), ("local_part_shapes", "Forged local-part shapes"),
        ("clients", "Clients"), ("signals", "Signals"),
    ];

    private const int ValuesShown = 10;

    /// <summary>What an operator can do when somebody else's spam run forges our domains, in our words.</summary>
    private static readonly string[] BackscatterWaveAdvice =
    [
        "A backscatter wave is the bounces of somebody else's spam that forged senders in our domain; the servers that bounce are innocent — do not block them.",
        "Refuse bounces to addresses that do not exist: validate recipients on every relay (Postfix relay_recipient_maps or reject_unverified_recipient, Exim verify = recipient, Domino's \"Verify that local domain recipients exist in the Domino Directory\").",
        "Sign our return paths (BATV, or SRS where we forward), so that a bounce to an unsigned address of ours can be refused as one we never sent.",
        "Publish SPF and DMARC (p=reject once reports show our own mail passes) for our domains, so that receivers refuse the forgery instead of accepting it and bouncing later.",
    ];

    /// <summary>What an operator can do when a login of ours has turned spam source, in our words.</summary>
    private static readonly string[] CompromisedAccountAdvice =
    [
        "Lock the account and reset its password now; then end its open sessions and revoke its app passwords and tokens, wherever the login is used.",
        "Check the account's clients (the evidence's addresses): a network it never sent from is where the stolen password is used — look for it in the other logins' history too.",
        "Check the relays' rate limits on authenticated senders (Postfix smtpd_client_message_rate_limit / anvil, Exim ratelimit ACLs), so that one login cannot send hundreds of messages an hour.",
        "Watch the relays' addresses on the public blocklists for the next days: the spam went out from them.",
    ];

    public static string Title(string detector) => detector switch
    {
        DetectorNames.DirectoryHarvest => "Directory harvest",
        DetectorNames.RelayProbe => "Relay probes",
        DetectorNames.OpenRelay => "Open relaying",
        DetectorNames.Spoofing => "Spoofed senders",
        DetectorNames.Backscatter => "NDR backscatter",
        DetectorNames.BounceSource => "Backscatter we caused",
        DetectorNames.AuthBruteForce => "Password guessing",
        DetectorNames.CompromisedAccount => "Compromised accounts",
        DetectorNames.Snowshoe => "Snowshoe campaigns",
        DetectorNames.DmarcForgery => "Forgers of our domains (DMARC reports)",
        DetectorNames.OutboundAuthFailure => "Our mail failing SPF or DKIM elsewhere",
        _ => detector,
    };

    /// <summary>A wave's hourly series from its evidence; none where the evidence predates it or is unreadable.</summary>
    private static DetectorSection.Wave WaveOf(Finding finding)
    {
        var hours = new List<DetectorSection.WaveHour>();
        try
        {
            using var evidence = finding.ParseEvidence();
            if (evidence.RootElement.TryGetProperty("hourly", out var hourly) && hourly.ValueKind == JsonValueKind.Array)
            {
                foreach (var hour in hourly.EnumerateArray())
                {
                    if (hour.ValueKind == JsonValueKind.Object
                        && hour.TryGetProperty("hour", out var at) && at.ValueKind == JsonValueKind.String
                        && DateTime.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
                        && hour.TryGetProperty("refused", out var refused) && refused.ValueKind == JsonValueKind.Number && refused.TryGetInt64(out var r)
                        && hour.TryGetProperty("accepted", out var accepted) && accepted.ValueKind == JsonValueKind.Number && accepted.TryGetInt64(out var a))
                    {
                        hours.Add(new DetectorSection.WaveHour(time, r, a));
                    }
                }
            }
        }
        catch (JsonException)
        {
            // The explanation already says the evidence is unreadable.
        }

        return new DetectorSection.Wave(finding.Subject, [.. hours.OrderBy(h => h.Hour)]);
    }

    private static bool IsBackscatterWave(Finding finding)
    {
        if (finding.Detector != DetectorNames.Backscatter)
        {
            return false;
        }

        try
        {
            using var evidence = finding.ParseEvidence();
            return evidence.RootElement.ValueKind == JsonValueKind.Object
                && evidence.RootElement.TryGetProperty("rule", out var rule) && rule.ValueKind == JsonValueKind.String && rule.GetString() == "wave";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static async Task<IReadOnlyList<DetectorSection>> ReadAsync(ReportContext context, BlocklistLookup blocklist, CancellationToken cancellationToken)
    {
        var findings = await Finding.ReadAsync(context.Store, context.Day.AddDays(-7), context.Day, cancellationToken).ConfigureAwait(false);
        var sections = new List<DetectorSection>();
        var detectors = DetectorCatalog.Names.Concat(findings.Select(f => f.Detector)).Distinct(StringComparer.Ordinal);
        foreach (var detector in detectors)
        {
            var mine = findings.Where(f => f.Detector == detector).ToList();
            var today = mine.Where(f => f.Day == context.Day).ToList();
            var yesterday = mine.Where(f => f.Day == context.Day.AddDays(-1)).Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
            var before = mine.Where(f => f.Day < context.Day).Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
            if (today.Count == 0 && yesterday.Count == 0)
            {
                continue;
            }

            var todaySubjects = today.Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
            var items = Items(today, before, blocklist).Take(context.Settings.TopFindings).ToList();
            var continuing = today.Count(f => before.Contains(f.Subject));
            sections.Add(new DetectorSection(
                detector, Title(detector), today.Count, today.Count - continuing, continuing, items,
                [.. yesterday.Where(s => !todaySubjects.Contains(s)).Order(StringComparer.Ordinal)],
                today.Any(IsBackscatterWave) ? BackscatterWaveAdvice : detector == DetectorNames.CompromisedAccount && today.Count > 0 ? CompromisedAccountAdvice : [],
                [.. today.Where(IsBackscatterWave).OrderBy(f => f.Subject, StringComparer.Ordinal).Select(WaveOf)]));
        }

        return sections;
    }

    /// <summary>
    /// The day's findings as report items, worst first. The bots of a shared-dictionary harvest are one
    /// campaign: they make one item listing them all, in the place of the first of them.
    /// </summary>
    private static IEnumerable<DetectorSection.Item> Items(IReadOnlyList<Finding> today, HashSet<string> before, BlocklistLookup blocklist)
    {
        var bots = today.Where(IsCampaignMember).ToList();
        var campaignShown = false;
        foreach (var finding in today)
        {
            if (!IsCampaignMember(finding))
            {
                yield return new DetectorSection.Item(
                    finding.Subject, 1, finding.Severity, Math.Round(finding.Score, 3), finding.FirstSeen, finding.LastSeen, finding.Events,
                    before.Contains(finding.Subject) ? "continuing" : "new",
                    Values.Shown(FindingExplainer.Explain(finding), 400),
                    [.. Evidence(finding).Where(e => !(e.Label == "Member IPs" && e.Total == 1 && e.Values[0] == finding.Subject))],
                    blocklist.StateOf(finding.Subject));
            }
            else if (!campaignShown)
            {
                campaignShown = true;
                var subjects = bots.Select(b => b.Subject).ToList();
                var listed = subjects.Count(s => blocklist.StateOf(s).StartsWith("listed", StringComparison.Ordinal));
                var evidence = Evidence(finding).Where(e => e.Label != "Member IPs" && e.Label != "HELO").Prepend(
                    new DetectorSection.EvidenceList("Member IPs", [.. subjects.Take(ValuesShown)], subjects.Count));
                yield return new DetectorSection.Item(
                    Invariant($"{subjects.Count} addresses (one shared dictionary)"), subjects.Count, finding.Severity, Math.Round(bots.Max(b => b.Score), 3),
                    bots.Min(b => b.FirstSeen), bots.Max(b => b.LastSeen), bots.Sum(b => b.Events),
                    subjects.Any(before.Contains) ? "continuing" : "new",
                    Values.Shown(FindingExplainer.ExplainCampaign(bots), 400), [.. evidence],
                    Invariant($"{listed} of {subjects.Count} listed"));
            }
        }
    }

    private static bool IsCampaignMember(Finding finding) =>
        finding.Detector == DetectorNames.DirectoryHarvest && finding.Evidence.Contains("\"rule\":\"shared_dictionary\"", StringComparison.Ordinal);


    private static List<DetectorSection.EvidenceList> Evidence(Finding finding)
    {
        var lists = new List<DetectorSection.EvidenceList>();
        try
        {
            using var evidence = finding.ParseEvidence();
            foreach (var (key, label) in EvidenceLists)
            {
                if (evidence.RootElement.ValueKind == JsonValueKind.Object
                    && evidence.RootElement.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0)
                {
                    var values = value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToList();
                    lists.Add(new DetectorSection.EvidenceList(label, [.. values.Take(ValuesShown).Select(v => Values.Shown(v))], values.Count));
                }
            }
        }
        catch (JsonException)
        {
            // The explanation already says the evidence is unreadable.
        }

        return lists;
    }
}
