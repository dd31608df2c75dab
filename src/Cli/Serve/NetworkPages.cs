using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RelayWatch.Analysis;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Detection;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// A network's page, <c>/net/ADDRESS/PREFIX</c>: who runs it (network context, when loaded), its
/// addresses we have seen with what each did, its activity per day, the findings that lie in it or
/// contain it, and the blocklist entries that overlap it. The way from a harvest spread over a /24 (or a
/// provider's pool) to each of its members.
/// </summary>
internal static class NetworkPages
{
    /// <summary>Addresses listed on one page, busiest first.</summary>
    private const int MaxAddresses = 200;

    public static void Map(WebApplication app) => app.MapGet("/net/{address}/{prefix:int}", (Delegate)NetworkAsync);

    /// <summary>The page of the network holding <paramref name="ip"/> with this many bits: its /24 (IPv4) or /48 (IPv6) unless given.</summary>
    public static string Link(string ip, int? prefix = null)
    {
        var address = IPAddress.Parse(ip);
        var bits = prefix ?? (address.AddressFamily == AddressFamily.InterNetwork ? 24 : 48);
        return string.Create(CultureInfo.InvariantCulture, $"/net/{Html.Url(Masked(address, bits).ToString())}/{bits}");
    }

    private static async Task<IResult> NetworkAsync(HttpContext context, IClickHouseStore store, TimeProvider time, string address, int prefix, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(address, out var parsed) || Subjects.Canonical(address) is null
            || prefix < 0 || prefix > (parsed.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
        {
            return Html.Page(context, "Not a network", $"<p class=\"error\">'{Html.Text(address)}/{prefix}' is not a network: give an address and a prefix length, such as /net/192.0.2.0/24.</p>", StatusCodes.Status404NotFound);
        }

        var network = new IPNetwork(Masked(parsed, prefix), prefix);
        var cidr = network.ToString();
        var (first, last) = Range(network);
        var parameters = new Dictionary<string, string>
        {
            ["first"] = first, ["last"] = last,
            ["connect"] = EventNames.Connect, ["rcpt_reject"] = EventNames.RcptReject, ["reject"] = EventNames.Reject,
            ["message"] = EventNames.Message, ["delivery"] = EventNames.Delivery, ["limit"] = MaxAddresses.ToString(CultureInfo.InvariantCulture),
        };
        const string InTheNetwork = "client_ip BETWEEN toIPv6({first:String}) AND toIPv6({last:String})";
        const string Counts = """
            countIf(event = {connect:String}), uniqExactIf(rcpt_to, rcpt_to != ''), countIf(event IN ({rcpt_reject:String}, {reject:String})),
            countIf(event = {message:String}), countIf(event = {delivery:String})
            """;
        var addresses = await store.QueryListAsync(
            $"""
            SELECT replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip, toString(min(toDate(ts))), toString(max(toDate(ts))), toString(uniqExact(toDate(ts))),
                   anyIf(client_host, client_host != ''), {Counts}
            FROM smtp_events
            WHERE {InTheNetwork}
            GROUP BY client_ip
            ORDER BY count() DESC, ip
            LIMIT {"{limit:UInt32}"}
            """, parameters, cancellationToken).ConfigureAwait(false);
        var total = await store.QueryScalarAsync($"SELECT uniqExact(client_ip) FROM smtp_events WHERE {InTheNetwork}", parameters, cancellationToken).ConfigureAwait(false);
        var days = await store.QueryListAsync(
            $"""
            SELECT toString(toDate(ts)) AS d, toString(uniqExact(client_ip)), {Counts}
            FROM smtp_events
            WHERE {InTheNetwork}
            GROUP BY d
            ORDER BY d
            """, parameters, cancellationToken).ConfigureAwait(false);
        var blocklist = await store.QueryListAsync(
            """
            SELECT changed_at, subject, action, reason, expires_at, changed_by FROM blocklist_changes
            WHERE isIPAddressInRange({first:String}, if(position(subject, '/') > 0, subject, concat(subject, if(position(subject, ':') > 0, '/128', '/32'))))
               OR isIPAddressInRange(replaceRegexpOne(if(position(subject, '/') > 0, substring(subject, 1, position(subject, '/') - 1), subject), '^::ffff:', ''), {cidr:String})
            ORDER BY changed_at DESC LIMIT 30
            """, new Dictionary<string, string>(parameters) { ["cidr"] = cidr }, cancellationToken).ConfigureAwait(false);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var firstDay = days.Count > 0 ? DateOnly.ParseExact(days[0][0], "yyyy-MM-dd", CultureInfo.InvariantCulture) : today.AddDays(-30);
        var findings = (await Finding.ReadAsync(store, firstDay.AddDays(-1), today, cancellationToken).ConfigureAwait(false))
            .Where(f => ConsolePages.Overlaps(network, f.Subject)).OrderByDescending(f => f.Day).ThenBy(f => f.Subject, StringComparer.Ordinal).ToList();
        var dismissed = await ConsolePages.DismissedAsync(store, firstDay.AddDays(-1), today, cancellationToken).ConfigureAwait(false);
        var owner = (await new NetworkContextStore(store).LookupAsync([first], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(first);

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p>{(owner is { IsKnown: true } ? $"Runs it: {Html.Text(NetworkContextText.Describe(owner))}. " : string.Empty)}Addresses {Html.Text(first)} to {Html.Text(last)}; {Html.Text(total ?? "0")} of them seen. <a href=\"/findings?from={firstDay:yyyy-MM-dd}&amp;to={today:yyyy-MM-dd}&amp;subject={Html.Url(cidr)}\">Its findings in the explorer</a>.</p>");
        body.Append("<h2>Addresses, busiest first</h2>");
        body.Append(AddressTable(addresses));
        if (long.TryParse(total, CultureInfo.InvariantCulture, out var seen) && seen > addresses.Count)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p>The {addresses.Count} busiest of {seen:N0} are shown.</p>");
        }

        body.Append("<h2>Activity per day</h2>");
        body.Append(ConsolePages.Table(["day", "addresses", "sessions", "recipients tried", "refusals", "messages accepted", "deliveries"], days, numericFrom: 1));
        body.Append("<h2>Findings in or around it</h2>");
        body.Append(ConsolePages.FindingsTable(context, findings, dismissed, context.User.IsInRole(ConsoleRoles.Analyst) || context.User.IsInRole(ConsoleRoles.Admin)));
        body.Append("<h2>Blocklist entries overlapping it</h2>");
        body.Append(ConsolePages.Table(["changed", "entry", "action", "reason", "expires", "by"], blocklist));
        return Html.Page(context, cidr, body.ToString());
    }

    private static string AddressTable(IReadOnlyList<string[]> rows)
    {
        if (rows.Count == 0)
        {
            return "<p>No address of this network is in the store.</p>";
        }

        var table = new StringBuilder("<table><tr><th>address</th><th>first day</th><th>last day</th><th>days</th><th>reverse DNS</th><th>sessions</th><th>recipients tried</th><th>refusals</th><th>messages accepted</th><th>deliveries</th></tr>");
        foreach (var row in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/ip/{Html.Url(row[0])}\">{Html.Text(row[0])}</a></td>");
            for (var i = 1; i < row.Length; i++)
            {
                table.Append(i >= 3 && i != 4 ? "<td class=\"num\">" : "<td>").Append(Html.Text(row[i])).Append("</td>");
            }

            table.Append("</tr>");
        }

        return table.Append("</table>").ToString();
    }

    /// <summary>The address with every bit after the first <paramref name="prefix"/> cleared.</summary>
    private static IPAddress Masked(IPAddress address, int prefix) => WithHostBits(address, prefix, set: false);

    /// <summary>The network's first and last address, as text ClickHouse's <c>toIPv6</c> reads (IPv4 as itself: it maps it).</summary>
    private static (string First, string Last) Range(IPNetwork network) =>
        (network.BaseAddress.ToString(), WithHostBits(network.BaseAddress, network.PrefixLength, set: true).ToString());

    /// <summary>The address with every bit after the first <paramref name="prefix"/> cleared, or set.</summary>
    private static IPAddress WithHostBits(IPAddress address, int prefix, bool set)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var hostBits = (byte)~(0xFF << (8 - Math.Clamp(prefix - (i * 8), 0, 8)));
            bytes[i] = set ? (byte)(bytes[i] | hostBits) : (byte)(bytes[i] & ~hostBits);
        }

        return new IPAddress(bytes);
    }
}
