using System.Globalization;
using System.Text.Json;
using RelayWatch.Analysis.Context;

namespace RelayWatch.Analysis.Detection;

/// <summary>Says in one sentence why a finding was made, from its evidence, for a terminal or a report.</summary>
public static class FindingExplainer
{
    public static string Explain(Finding finding) => Explain(finding, null);

    /// <summary>
    /// The sentence, and who is behind the subject when network context is loaded and knows it:
    /// "…; from AS64500 Example Hosting, NL". Without context the sentence is as it was.
    /// </summary>
    public static string Explain(Finding finding, NetworkContext? context)
    {
        var sentence = Sentence(finding);
        return context is { IsKnown: true } ? $"{sentence}; from {NetworkContextText.Describe(context)}" : sentence;
    }

    private static string Sentence(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        try
        {
            using var evidence = finding.ParseEvidence();
            var e = evidence.RootElement;
            return finding.Detector switch
            {
                DetectorNames.DirectoryHarvest when Text(e, "rule") == "shared_dictionary" => Invariant(
                    $"{Number(e, "unknown_recipients")} unknown recipient(s) from a dictionary shared by {Number(e, "member_count")} IPs in unrelated networks (e.g. {string.Join(", ", Strings(e, "sample_unknown").Take(3))})"),
                DetectorNames.DirectoryHarvest when Text(e, "rule") == "as_campaign" => Invariant(
                    $"one harvest over {Number(e, "network_count")} networks of {AsName(e)}: {Number(e, "unknown_recipients")} unknown recipients from {Number(e, "member_count")} IPs that never had a message delivered ({string.Join(", ", Strings(e, "networks").Take(3))}{(Number(e, "network_count") > 3 ? ", …" : string.Empty)}) over {Number(e, "days_active")} day(s); {Percent(e)} of what they tried"),
                DetectorNames.DirectoryHarvest when Text(e, "rule") == "network" => Invariant(
                    $"{Number(e, "unknown_recipients")} unknown recipients from {Number(e, "member_count")} IPs of the network over {Number(e, "days_active")} day(s); {Percent(e)} of what they tried"),
                DetectorNames.DirectoryHarvest => Invariant(
                    $"{Number(e, "unknown_recipients")} unknown recipients in {Number(e, "sessions")} session(s), {Percent(e)} of what it tried; {Number(e, "accepted_recipients")} accepted{Exposed(e)}{BouncesLeftOut(e)}"),
                DetectorNames.RelayProbe => Invariant(
                    $"{Number(e, "attempts")} relay attempt(s) refused: {string.Join(", ", Strings(e, "probe_types"))}; HELO {string.Join(", ", Strings(e, "helos")).OrNone()}"),
                DetectorNames.OpenRelay => Invariant(
                    $"{Number(e, "messages")} message(s) to foreign domains accepted and delivered by {string.Join(", ", Strings(e, "relays"))}, e.g. to {Strings(e, "sample_recipients").FirstOrDefault().OrNone()}"),
                DetectorNames.Spoofing => Invariant(
                    $"{(Text(e, "rule") == "own_domain" ? "our domain" : "a look-alike of our domain")} as sender ({string.Join(", ", Strings(e, "forged_senders").Take(3))}) without authentication; {Number(e, "accepted_messages")} accepted, {Number(e, "refused")} refused{Spf(e)}"),
                DetectorNames.Backscatter when Text(e, "rule") == "wave" => Invariant(
                    $"a backscatter wave: {Number(e, "bounces")} bounces for mail {finding.Subject} never sent, from {Number(e, "servers")} servers in {Number(e, "networks")} networks (innocent receivers of spam that forged our domain), to {Number(e, "targets")} addresses ({Number(e, "made_up_targets")} made up, {Number(e, "real_targets")} real); {Number(e, "refused")} refused at RCPT; peak {Text(e, "peak_hour")} UTC with {Number(e, "peak_hour_bounces")}"),
                DetectorNames.Backscatter => Invariant(
                    $"{Number(e, "unmatched_bounces")} of {Number(e, "bounces")} bounces for mail our users never sent to {Text(e, "bouncer_domain").OrNone()}, to {Strings(e, "targets").Count()} user(s)"),
                DetectorNames.BounceSource => Invariant(
                    $"{string.Join(", ", Strings(e, "relays"))} accepted its mail and then sent {Number(e, "notifications")} non-delivery notification(s) to {Number(e, "distinct_senders")} sender(s), e.g. {Strings(e, "bounced_to").FirstOrDefault().OrNone()}"),
                DetectorNames.CompromisedAccount => Invariant(
                    $"the login {finding.Subject} sent to {Number(e, "recipients")} recipients in {Number(e, "domains")} domains (its busiest of {Number(e, "history_days")} earlier day(s): {Number(e, "history_max_recipients")}) from {string.Join(", ", Strings(e, "clients").Take(3))}; {Ratio(e, "failure_share")} refused or bounced; signals {string.Join(", ", Strings(e, "signals"))}"),
                DetectorNames.Snowshoe => Invariant(
                    $"a snowshoe campaign: {Number(e, "member_count")} addresses new to us in {Number(e, "networks")} networks share the {(Text(e, "rule") == "host_template" ? "host naming" : "sender pattern")} {finding.Subject}, no established sender's (e.g. {string.Join(", ", Strings(e, Text(e, "rule") == "host_template" ? "sample_hosts" : "sample_senders").Take(2))}); {Number(e, "messages")} message(s), {Number(e, "delivered")} delivered, {Number(e, "refused")} refused, first to last {Number(e, "first_seen_spread_minutes")} min"),
                DetectorNames.AuthBruteForce => Invariant(
                    $"{Number(e, "failures")} failed authentications in {Number(e, "sessions")} session(s)"),
                DetectorNames.DmarcForgery => Invariant(
                    $"{Number(e, "messages")} message(s) as {string.Join(", ", Strings(e, "header_from")).OrNone()} failed DMARC at {string.Join(", ", Strings(e, "reporters"))}; {(Text(e, "rule") == "both_sides" ? $"the same address hit our relays that day ({Number(e, "relay_events")} events at {string.Join(", ", Strings(e, "relays"))}, e.g. from {Strings(e, "relay_senders").FirstOrDefault().OrNone()})" : "it never hit our relays that day")}"),
                DetectorNames.OutboundAuthFailure => Invariant(
                    $"{Number(e, "failing")} of our {Number(e, "messages")} message(s) from this address failed {Text(e, "rule") switch { "dkim_and_spf" => "DKIM and SPF", "spf" => "SPF", _ => "DKIM" }} at {string.Join(", ", Strings(e, "reporters"))}; {Number(e, "dmarc_failing")} failed DMARC"),
                _ => Invariant($"{finding.Events} events; rule {Text(e, "rule")}"),
            };
        }
        catch (JsonException)
        {
            return $"{finding.Events} events (evidence unreadable)";
        }
    }

    /// <summary>One sentence for the bots of a shared-dictionary harvest on one day, taken together.</summary>
    public static string ExplainCampaign(IReadOnlyList<Finding> bots)
    {
        ArgumentNullException.ThrowIfNull(bots);
        using var evidence = bots[0].ParseEvidence();
        var words = Strings(evidence.RootElement, "sample_unknown").Take(3).ToList();
        var members = string.Join(", ", bots.Take(3).Select(b => b.Subject)) + (bots.Count > 3 ? ", …" : string.Empty);
        return Invariant($"{bots.Count} IP(s) in unrelated networks tried one shared dictionary (e.g. {string.Join(", ", words)}): {members}");
    }

    /// <summary>"AS64506 Benchmark Cloud Example, US" from an as_campaign's evidence, on one line.</summary>
    private static string AsName(JsonElement e) =>
        NetworkContextText.Describe(new NetworkContext((uint)Number(e, "asn"), Text(e, "organisation"), Text(e, "country")));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static long Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static IEnumerable<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)
            : [];

    /// <summary>Where dha left a client's bounce-shaped attempts to backscatter, it says so (the rule's choice).</summary>
    private static string BouncesLeftOut(JsonElement e)
    {
        var bounces = Number(e, "bounce_shaped_left_out");
        return bounces == 0 ? string.Empty : Invariant($"; {bounces} bounce-shaped null-sender attempt(s) not counted (a bounce, not a harvest)");
    }

    private static string Ratio(JsonElement e, string name) =>
        (e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0).ToString("P0", CultureInfo.InvariantCulture);

    private static string Percent(JsonElement e)
    {
        var unknown = Number(e, "unknown_recipients");
        var total = unknown + Number(e, "accepted_recipients");
        return total == 0 ? "none" : (unknown / (double)total).ToString("P0", CultureInfo.InvariantCulture);
    }

    private static string Exposed(JsonElement e)
    {
        var named = Strings(e, "exposed_mailboxes").ToList();
        var unlogged = Number(e, "exposed_unlogged");
        var parts = new List<string>();
        if (named.Count > 0)
        {
            parts.Add("exposed: " + string.Join(", ", named.Take(3)) + (named.Count > 3 ? ", …" : string.Empty));
        }

        if (unlogged > 0)
        {
            parts.Add(Invariant($"{unlogged} mailbox(es) exposed whose address the log does not name"));
        }

        return parts.Count == 0 ? string.Empty : " (" + string.Join("; ", parts) + ")";
    }

    private static string Spf(JsonElement e)
    {
        var verdicts = Strings(e, "spf_verdicts").ToList();
        return verdicts.Count == 0 ? string.Empty : "; SPF " + string.Join(", ", verdicts);
    }

    private static string OrNone(this string? text) => string.IsNullOrEmpty(text) ? "none" : text;
}
