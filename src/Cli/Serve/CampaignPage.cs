using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RelayWatch.Analysis;
using RelayWatch.Analysis.Detection;
using RelayWatch.Store.Vocabulary;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// One finding as a campaign, <c>/campaign/DAY/DETECTOR/SUBJECT</c> (linked from every findings table): a
/// harvest's members, each with what it did that day, and the dictionary they tried (from smtp_events); a
/// backscatter wave's bouncing servers, its targets and its hours (from the evidence: the servers are other
/// people's, so they are listed, not blamed); a relay probe's shapes — the recipients, senders and HELO
/// names it tried, as the relays logged them. Any other finding shows its evidence as a table. Every value
/// comes from a log line, so every value is encoded.
/// </summary>
internal static class CampaignPage
{
    /// <summary>Members, dictionary words and probe shapes listed at most.</summary>
    private const int MaxRows = 500;

    public static void Map(WebApplication app) => app.MapGet("/campaign/{day}/{detector}/{**subject}", (Delegate)CampaignAsync);

    public static string Link(Finding finding) =>
        string.Create(CultureInfo.InvariantCulture, $"/campaign/{finding.Day:yyyy-MM-dd}/{Html.Url(finding.Detector)}/{string.Join('/', finding.Subject.Split('/').Select(Html.Url))}");

    private static async Task<IResult> CampaignAsync(HttpContext context, IClickHouseStore store, string day, string detector, string subject, CancellationToken cancellationToken)
    {
        var finding = DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? (await Finding.ReadAsync(store, date, date, cancellationToken).ConfigureAwait(false)).FirstOrDefault(f => f.Detector == detector && f.Subject == subject)
            : null;
        if (finding is null)
        {
            return Html.Page(context, "No such finding", $"<p class=\"error\">There is no {Html.Text(detector)} finding of {Html.Text(day)} about {Html.Text(subject)}: the findings explorer lists what there is.</p>", StatusCodes.Status404NotFound);
        }

        using var evidence = JsonDocument.Parse(finding.Evidence);
        var root = evidence.RootElement;
        var rule = Text(root, "rule");
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p><strong>{Html.Text(finding.Detector)}</strong> ({Html.Text(rule)}), {finding.Day:yyyy-MM-dd}, {finding.FirstSeen:HH:mm:ss} to {finding.LastSeen:HH:mm:ss} UTC, severity <span class=\"{Html.Text(finding.Severity)}\">{Html.Text(finding.Severity)}</span>, {finding.Events} events: {Html.Text(FindingExplainer.Explain(finding))}</p>");
        body.Append(SubjectLine(finding.Subject));
        var parameters = new Dictionary<string, string> { ["day"] = finding.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["limit"] = MaxRows.ToString(CultureInfo.InvariantCulture) };
        switch (finding.Detector)
        {
            case DetectorNames.DirectoryHarvest:
                await MembersAsync(store, body, root, finding, parameters, dictionary: true, cancellationToken).ConfigureAwait(false);
                break;
            case DetectorNames.Snowshoe:
                await MembersAsync(store, body, root, finding, parameters, dictionary: false, cancellationToken).ConfigureAwait(false);
                break;
            case DetectorNames.Backscatter when rule == "wave":
                Wave(body, root);
                break;
            case DetectorNames.RelayProbe:
                await ProbeAsync(store, body, root, finding, parameters, cancellationToken).ConfigureAwait(false);
                break;
            default:
                break;
        }

        body.Append("<h2>Evidence</h2>").Append(EvidenceTable(root));
        return Html.Page(context, $"{finding.Detector} {finding.Subject}", body.ToString());
    }

    /// <summary>The members (as the evidence lists them), what each did that day, and for a harvest the recipients they tried that do not exist.</summary>
    private static async Task MembersAsync(IClickHouseStore store, StringBuilder body, JsonElement root, Finding finding, Dictionary<string, string> parameters, bool dictionary, CancellationToken cancellationToken)
    {
        var members = Strings(root, "members");
        if (members.Count == 0 && Subjects.ParseNetwork(finding.Subject) is { } network && network.PrefixLength == (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
        {
            members = [finding.Subject];
        }

        parameters["members"] = SqlText.QuoteArray(members);
        parameters["rcpt_reject"] = EventNames.RcptReject;
        parameters["reject"] = EventNames.Reject;
        parameters["connect"] = EventNames.Connect;
        parameters["delivery"] = EventNames.Delivery;
        parameters["user_unknown"] = Reasons.UserUnknown;
        const string Members = "toDate(ts) = {day:Date} AND has(arrayMap(m -> toIPv6(m), {members:Array(String)}), client_ip)";
        const string Unknown = "event IN ({rcpt_reject:String}, {reject:String}) AND reason = {user_unknown:String} AND rcpt_to != ''";
        var perMember = await store.QueryListAsync(
            $"""
            SELECT replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip, countIf(event = {"{connect:String}"}),
                   uniqExactIf(rcpt_to, {Unknown}), countIf(event = {"{delivery:String}"}), arrayStringConcat(arraySort(groupUniqArray(relay)), ' '),
                   anyIf(helo, helo != ''), toString(min(ts)), toString(max(ts))
            FROM smtp_events
            WHERE {Members}
            GROUP BY client_ip
            ORDER BY uniqExactIf(rcpt_to, {Unknown}) DESC, ip
            LIMIT {"{limit:UInt32}"}
            """, parameters, cancellationToken).ConfigureAwait(false);
        body.Append(CultureInfo.InvariantCulture, $"<h2>Members ({members.Count})</h2>");
        if (perMember.Count == 0)
        {
            body.Append("<p>None of its members is in the store for that day any more.</p>");
        }
        else
        {
            body.Append("<table><tr><th>address</th><th>sessions</th><th>unknown recipients tried</th><th>deliveries</th><th>relays</th><th>HELO</th><th>first</th><th>last</th></tr>");
            foreach (var row in perMember)
            {
                body.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/ip/{Html.Url(row[0])}\">{Html.Text(row[0])}</a></td><td class=\"num\">{Html.Text(row[1])}</td><td class=\"num\">{Html.Text(row[2])}</td><td class=\"num\">{Html.Text(row[3])}</td><td>{Html.Text(row[4])}</td><td>{Html.Text(row[5])}</td><td>{Html.Text(row[6])}</td><td>{Html.Text(row[7])}</td></tr>");
            }

            body.Append("</table>");
        }

        if (!dictionary)
        {
            return;
        }

        var tried = await store.QueryListAsync(
            $"""
            SELECT rcpt_to, toString(uniqExact(client_ip)) AS members, toString(count()) AS tries
            FROM smtp_events
            WHERE {Members} AND {Unknown}
            GROUP BY rcpt_to
            ORDER BY uniqExact(client_ip) DESC, count() DESC, rcpt_to
            LIMIT {"{limit:UInt32}"}
            """, parameters, cancellationToken).ConfigureAwait(false);
        var words = await store.QueryScalarAsync($"SELECT uniqExact(rcpt_to) FROM smtp_events WHERE {Members} AND {Unknown}", parameters, cancellationToken).ConfigureAwait(false);

        body.Append(CultureInfo.InvariantCulture, $"<h2 id=\"dictionary\">Dictionary: {Html.Text(words ?? "0")} recipients tried that do not exist</h2>");
        if (long.TryParse(words, CultureInfo.InvariantCulture, out var count) && count > tried.Count)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p>The {tried.Count} tried by the most members are shown.</p>");
        }

        body.Append(ConsolePages.Table(["recipient", "members that tried it", "tries"], tried, numericFrom: 1));
    }

    /// <summary>A backscatter wave: the bouncing servers (innocent: their users' addresses were forged) and the targets, from the evidence.</summary>
    private static void Wave(StringBuilder body, JsonElement root)
    {
        var servers = Strings(root, "sample_servers");
        body.Append(CultureInfo.InvariantCulture, $"<h2>Servers that bounced ({Html.Text(Text(root, "servers"))}, in {Html.Text(Text(root, "networks"))} networks; a sample of {servers.Count})</h2>");
        body.Append("<p>Other organisations' mail servers returning mail that forged our users' addresses: they are not to blame.</p>");
        body.Append(ConsolePages.Table(["server"], [.. servers.Select(s => new[] { s })]));
        var targets = Strings(root, "sample_targets");
        body.Append(CultureInfo.InvariantCulture, $"<h2>Targets ({Html.Text(Text(root, "targets"))}: {Html.Text(Text(root, "real_targets"))} real, {Html.Text(Text(root, "made_up_targets"))} made up; a sample of {targets.Count})</h2>");
        body.Append(ConsolePages.Table(["recipient"], [.. targets.Select(t => new[] { t })]));
        body.Append("<h2>Local-part shapes of the targets</h2>");
        body.Append(ConsolePages.Table(["shape (bounces)"], [.. Strings(root, "local_part_shapes").Select(s => new[] { s })]));
        if (root.TryGetProperty("hourly", out var hourly) && hourly.ValueKind == JsonValueKind.Array)
        {
            body.Append("<h2>Per hour</h2>");
            body.Append(ConsolePages.Table(["hour", "refused", "accepted"],
                [.. hourly.EnumerateArray().Select(h => new[] { Text(h, "hour"), Text(h, "refused"), Text(h, "accepted") })], numericFrom: 1));
        }
    }

    /// <summary>A relay probe's shapes: each recipient, sender and HELO combination it tried that the relays refused as relaying.</summary>
    private static async Task ProbeAsync(IClickHouseStore store, StringBuilder body, JsonElement root, Finding finding, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        body.Append(CultureInfo.InvariantCulture, $"<p>Kinds of probe: {Html.Text(string.Join(", ", Strings(root, "probe_types")))}.</p>");
        if (Subjects.ParseNetwork(finding.Subject) is not { } network)
        {
            return;
        }

        parameters["first"] = network.BaseAddress.ToString();
        parameters["prefix"] = network.PrefixLength.ToString(CultureInfo.InvariantCulture);
        parameters["relay_denied"] = Reasons.RelayDenied;
        var shapes = await store.QueryListAsync(
            """
            SELECT rcpt_to, mail_from, helo, arrayStringConcat(arraySort(groupUniqArray(relay)), ' '), toString(count()) AS tries, toString(min(ts))
            FROM smtp_events
            WHERE toDate(ts) = {day:Date} AND isIPAddressInRange(replaceRegexpOne(toString(client_ip), '^::ffff:', ''), concat({first:String}, '/', {prefix:String}))
              AND reason = {relay_denied:String}
            GROUP BY rcpt_to, mail_from, helo
            ORDER BY count() DESC, rcpt_to, mail_from, helo
            LIMIT {limit:UInt32}
            """, parameters, cancellationToken).ConfigureAwait(false);
        body.Append("<h2>Shapes tried</h2>");
        body.Append(ConsolePages.Table(["recipient", "sender", "HELO", "relays", "tries", "first"], shapes, numericFrom: 4, numericTo: 5));
    }

    private static string SubjectLine(string subject)
    {
        if (Subjects.ParseNetwork(subject) is not { } network)
        {
            return $"<p>Subject: {Html.Text(subject)}.</p>";
        }

        var single = network.PrefixLength == (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return single
            ? $"<p>Subject: <a href=\"/ip/{Html.Url(subject)}\">{Html.Text(subject)}</a>.</p>"
            : $"<p>Subject: <a href=\"{NetworkPages.Link(network.BaseAddress.ToString(), network.PrefixLength)}\">{Html.Text(subject)}</a>.</p>";
    }

    /// <summary>Every field of the evidence: a list as its items, an object as its JSON text.</summary>
    private static string EvidenceTable(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"<pre>{Html.Text(root.GetRawText())}</pre>";
        }

        var rows = root.EnumerateObject().Select(p => new[]
        {
            p.Name,
            p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                ? string.Join(", ", p.Value.EnumerateArray().Select(e => e.GetString()))
                : p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? string.Empty : p.Value.GetRawText(),
        }).ToList();
        return ConsolePages.Table(["field", "value"], rows);
    }

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : value.GetRawText()
            : string.Empty;

    private static List<string> Strings(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
}
