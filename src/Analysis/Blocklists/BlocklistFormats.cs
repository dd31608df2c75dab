using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace RelayWatch.Analysis.Blocklists;

/// <summary>One way a relay takes a blocklist.</summary>
/// <param name="Name">What <c>--format</c> says.</param>
/// <param name="Use">How the relay uses the file, for the help text and docs/blocklists.md.</param>
public sealed record BlocklistFormat(string Name, string Use, Func<IReadOnlyList<BlocklistEntry>, DateTime, string> Render)
{
    /// <summary>
    /// Whether the file starts with a UTF-8 byte order mark: for the Exchange script, which Windows
    /// PowerShell 5.1 would otherwise read as Windows-1252. The script is plain ASCII anyway; the mark
    /// keeps it read as UTF-8 should that ever change.
    /// </summary>
    public bool ByteOrderMark { get; init; }

    /// <summary>The file's bytes, as export writes them and serve sends them: UTF-8, with the mark where <see cref="ByteOrderMark"/> says.</summary>
    public byte[] Encode(string rendered)
    {
        var encoding = new UTF8Encoding(ByteOrderMark);
        return [.. encoding.GetPreamble(), .. encoding.GetBytes(rendered)];
    }
}

/// <summary>
/// The published list in each relay's native syntax. Every format gets the same entries: listed now,
/// allowed by the guard, and not inside another listed network.
/// </summary>
/// <remarks>
/// A reason is evidence, and evidence is attacker-controlled text (a HELO, an address). No format a
/// tool loads or runs carries it: they hold canonical addresses, our fixed wording, dates and counts,
/// and the Exchange script's comment is built from a whitelist. Only the analysts' formats (csv, json)
/// carry the reason, cleaned and escaped. docs/blocklists.md says what each format may hold.
/// </remarks>
public static class BlocklistFormats
{
    /// <summary>The one reply text a client of a relay ever sees: fixed, so no evidence goes back to the attacker.</summary>
    private const string Message = "Listed by RelayWatch";

    /// <summary>The Exchange script's first command: it removes what RelayWatch listed before.</summary>
    private const string ExchangeRemovePrevious = "Get-IPBlockListEntry | Where-Object { $_.Comment -like 'RelayWatch*' } | Remove-IPBlockListEntry -Confirm:$false";

    public static IReadOnlyList<BlocklistFormat> All { get; } =
    [
        new("postfix-cidr", "Postfix check_client_access cidr:/etc/postfix/relaywatch.cidr (smtpd_client_restrictions)",
            (e, t) => Lines(e, t, "#", x => $"{x.Subject} REJECT {Message}")),
        new("postscreen-cidr", "Postfix postscreen_access_list = permit_mynetworks, cidr:/etc/postfix/relaywatch-postscreen.cidr",
            (e, t) => Lines(e, t, "#", x => $"{x.Subject} reject")),
        new("postfix-hash", "Postfix check_client_access hash:/etc/postfix/relaywatch (run postmap on it); networks as the octet or hextet prefixes Postfix looks up",
            (e, t) => Lines(e, t, "#", x => HashKey(x.Subject) is { } key ? $"{key} REJECT {Message}" : null)),
        new("sendmail-access", "Sendmail access database (makemap hash access < file): Connect: entries",
            (e, t) => Lines(e, t, "#", x => HashKey(x.Subject) is { } key ? $"Connect:{(key.Contains(':', StringComparison.Ordinal) ? "IPv6:" : string.Empty)}{key} REJECT" : null)),
        new("exim", "Exim host list, one per line: deny hosts = net-iplsearch;/etc/exim4/relaywatch-hosts (or hostlist blocked = /etc/exim4/relaywatch-hosts)",
            (e, t) => Lines(e, t, "#", x => x.Subject)),
        new("rbldnsd", "rbldnsd combined zone (ip4set and ip6trie): rbldnsd -b ADDR/53 bl.example.org:combined:/var/lib/rbldnsd/relaywatch; any MTA can query it as a DNSBL answering 127.0.0.2",
            Rbldnsd),
        new("nftables", "nftables sets: nft -f file; drop with: ip saddr @blocked4 tcp dport 25 drop, ip6 saddr @blocked6 tcp dport 25 drop",
            Nftables),
        new("exchange", "Exchange Management Shell script for Edge Transport servers: replaces RelayWatch's IP Block List entries (Add-IPBlockListEntry, with expiry and a comment naming what listed it), UTF-8 with a byte order mark",
            Exchange) { ByteOrderMark = true },
        new("domino", "the value for Domino's Configuration Settings, Router/SMTP > Restrictions and Controls > SMTP Inbound Controls, \"Deny connections from the following SMTP Internet host names/IP addresses\": one bracketed address or CIDR per line, nothing else",
            (e, t) => Lines(e, t, null, x => $"[{x.Subject}]")),
        new("esa", "Cisco Secure Email (ESA) sender-group entries, one per line in AsyncOS's sender group syntax (IPv6 written out in eight groups), nothing else: add them under a sender group such as BLOCKED_LIST in a HAT exported from Mail Policies > HAT Overview, then Import HAT",
            (e, t) => Lines(e, t, null, x => EsaSender(x.Subject))),
        new("plain", "one address or CIDR per line, nothing else", (e, t) => Lines(e, t, null, x => x.Subject)),
        new("csv", "subject, severity, listed_at, expires_at, reason (RFC 4180, with a header)", Csv),
        new("json", "an object with generated_at and entries [{subject, severity, listed_at, expires_at, reason, sources}]", Json),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(f => f.Name)];

    /// <exception cref="ArgumentException">There is no such format; the message lists them.</exception>
    public static BlocklistFormat Find(string name) =>
        All.FirstOrDefault(f => f.Name == name) ?? throw new ArgumentException($"There is no blocklist format '{name}'; the formats are {string.Join(", ", Names)}.");

    /// <summary>
    /// The entries every format publishes: those listed at <paramref name="now"/> that the guard lets
    /// through, without any that a listed network covers, each subject written afresh from its bytes
    /// (<see cref="Subjects.Canonical"/>) so that only digits, hex letters, dots, colons and a slash
    /// ever reach a format.
    /// </summary>
    public static IReadOnlyList<BlocklistEntry> Published(IEnumerable<BlocklistEntry> entries, BlocklistGuard guard, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var listed = entries.Where(e => e.IsListedAt(now) && guard.WhyNot(e.Subject) is null)
            .Select(e => e with { Subject = Subjects.Canonical(e.Subject)! })
            .DistinctBy(e => e.Subject, StringComparer.Ordinal)
            .ToList();
        var networks = listed.Select(e => Subjects.ParseNetwork(e.Subject)!.Value).ToList();
        return [.. listed.Where((e, i) => !networks.Where((n, j) => j != i && n.PrefixLength < networks[i].PrefixLength).Any(n => n.Contains(networks[i].BaseAddress)))
            .OrderBy(e => Subjects.ParseNetwork(e.Subject)!.Value.BaseAddress.AddressFamily)
            .ThenBy(e => Subjects.ParseNetwork(e.Subject)!.Value.BaseAddress.GetAddressBytes(), ByteOrder.Instance)];
    }

    private static string Header(string comment, DateTime now, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{comment} RelayWatch blocklist, {count} entries, generated {now:yyyy-MM-ddTHH:mm:ssZ}\n");

    private static string Lines(IReadOnlyList<BlocklistEntry> entries, DateTime now, string? comment, Func<BlocklistEntry, string?> line)
    {
        var text = new StringBuilder(comment is null ? string.Empty : Header(comment, now, entries.Count));
        foreach (var entry in entries)
        {
            if (line(entry) is { } written)
            {
                text.Append(written).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>Postfix and Sendmail hash-table keys: an address, or a network on an octet (IPv4) or hextet (IPv6) boundary as its prefix.</summary>
    private static string? HashKey(string subject)
    {
        var network = Subjects.ParseNetwork(subject)!.Value;
        var v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        if (network.PrefixLength == (v4 ? 32 : 128))
        {
            return network.BaseAddress.ToString();
        }

        if (v4)
        {
            // A prefix not on an octet boundary cannot be a hash key: widening it could block a good sender, so it is left to the CIDR formats.
            return network.PrefixLength % 8 == 0 ? string.Join('.', network.BaseAddress.GetAddressBytes().Take(network.PrefixLength / 8)) : null;
        }

        if (network.PrefixLength % 16 != 0)
        {
            return null;
        }

        var bytes = network.BaseAddress.GetAddressBytes();
        return string.Join(':', Enumerable.Range(0, network.PrefixLength / 16).Select(i => ((bytes[2 * i] << 8) | bytes[(2 * i) + 1]).ToString("x", CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// An entry as AsyncOS's sender group syntax table lists them: <c>n.n.n.n</c>, <c>n.n.n.n/c</c>, and
    /// for IPv6 <c>n:n:n:n:n:n:n:n</c> or <c>n:n:n:n:n:n:n:n/c</c> — all eight groups, leading zeroes optional,
    /// so never the <c>::</c> shorthand, which the table does not list.
    /// </summary>
    private static string EsaSender(string subject)
    {
        var network = Subjects.ParseNetwork(subject)!.Value;
        if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            return subject;
        }

        var bytes = network.BaseAddress.GetAddressBytes();
        var groups = string.Join(':', Enumerable.Range(0, 8).Select(i => ((bytes[2 * i] << 8) | bytes[(2 * i) + 1]).ToString("x", CultureInfo.InvariantCulture)));
        return network.PrefixLength == 128 ? groups : string.Create(CultureInfo.InvariantCulture, $"{groups}/{network.PrefixLength}");
    }

    private static string Rbldnsd(IReadOnlyList<BlocklistEntry> entries, DateTime now)
    {
        var text = new StringBuilder(Header("#", now, entries.Count));
        foreach (var (dataset, family) in new[] { ("ip4set", AddressFamily.InterNetwork), ("ip6trie", AddressFamily.InterNetworkV6) })
        {
            text.Append(CultureInfo.InvariantCulture, $"$DATASET {dataset} @\n:127.0.0.2:{Message}\n");
            foreach (var entry in entries.Where(e => Subjects.ParseNetwork(e.Subject)!.Value.BaseAddress.AddressFamily == family))
            {
                text.Append(entry.Subject).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Nftables(IReadOnlyList<BlocklistEntry> entries, DateTime now)
    {
        var text = new StringBuilder(Header("#", now, entries.Count));
        // Recreated whole on every load: the table is flushed first, so a removed entry leaves the set.
        text.Append("table inet relaywatch\ndelete table inet relaywatch\ntable inet relaywatch {\n");
        foreach (var (set, type, family) in new[] { ("blocked4", "ipv4_addr", AddressFamily.InterNetwork), ("blocked6", "ipv6_addr", AddressFamily.InterNetworkV6) })
        {
            var members = entries.Where(e => Subjects.ParseNetwork(e.Subject)!.Value.BaseAddress.AddressFamily == family).Select(e => e.Subject).ToList();
            text.Append(CultureInfo.InvariantCulture, $"  set {set} {{\n    type {type}\n    flags interval\n");
            if (members.Count > 0)
            {
                text.Append("    elements = { ").AppendJoin(", ", members).Append(" }\n");
            }

            text.Append("  }\n");
        }

        return text.Append("}\n").ToString();
    }

    /// <summary>
    /// The Exchange Management Shell script. Every argument is a single-quoted literal made only of
    /// characters that cannot end or escape it (PowerShell also ends a single-quoted string at the
    /// Unicode quotes U+2018–U+201B), and the whole script is printable ASCII, so it reads the same
    /// in UTF-8 and in Windows-1252.
    /// </summary>
    private static string Exchange(IReadOnlyList<BlocklistEntry> entries, DateTime now)
    {
        var text = new StringBuilder(Header("#", now, entries.Count));
        text.Append("# Run in the Exchange Management Shell on each Edge Transport server. The entries RelayWatch wrote before\n");
        text.Append("# (their comment starts with RelayWatch) are removed first, so the IP Block List matches this list.\n");
        text.Append(ExchangeRemovePrevious).Append('\n');
        foreach (var e in entries)
        {
            var single = !e.Subject.Contains('/', StringComparison.Ordinal);
            text.Append(CultureInfo.InvariantCulture,
                $"Add-IPBlockListEntry {(single ? "-IPAddress" : "-IPRange")} '{e.Subject}' -ExpirationTime '{e.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}' -Comment '{ExchangeComment(e)}'\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// What listed an entry, from a whitelist: <c>RelayWatch: dha, relay_probe; listed 2026-11-24</c>.
    /// Detector names pass only as lower-case letters, digits and underscores; a score, an analyst and a
    /// network of listed members are named by our words, never by their text.
    /// </summary>
    private static string ExchangeComment(BlocklistEntry entry)
    {
        var what = entry.Sources
            .Select(source => source.Split(':') switch
            {
                ["finding", var detector, ..] when IsDetectorName(detector) => detector,
                ["score", ..] => "score",
                ["analyst"] => "analyst",
                ["member", ..] => "network",
                _ => null,
            })
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"RelayWatch: {(what.Count == 0 ? "other" : string.Join(", ", what))}; listed {entry.ListedAt:yyyy-MM-dd}");
    }

    private static bool IsDetectorName(string name) =>
        name.Length is > 0 and <= 32 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    /// <summary>
    /// For analysts and spreadsheets: the reason cleaned to one line (<see cref="Clean"/>), and any field
    /// a spreadsheet would take for a formula (<c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>) prefixed with <c>'</c>.
    /// </summary>
    private static string Csv(IReadOnlyList<BlocklistEntry> entries, DateTime now)
    {
        static string Field(string value)
        {
            var cleaned = Clean(value);
            var inert = cleaned.Length > 0 && cleaned[0] is '=' or '+' or '-' or '@' ? "'" + cleaned : cleaned;
            return inert.IndexOfAny([',', '"']) >= 0 ? "\"" + inert.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : inert;
        }

        var text = new StringBuilder("subject,severity,listed_at,expires_at,reason\r\n");
        foreach (var e in entries)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{Field(e.Subject)},{Field(e.Severity)},{e.ListedAt:yyyy-MM-ddTHH:mm:ssZ},{e.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ},{Field(e.Reason)}\r\n");
        }

        return text.ToString();
    }

    private static string Json(IReadOnlyList<BlocklistEntry> entries, DateTime now) =>
        JsonSerializer.Serialize(new
        {
            generated_at = now,
            entries = entries.Select(e => new { subject = e.Subject, severity = e.Severity, listed_at = e.ListedAt, expires_at = e.ExpiresAt, reason = e.Reason, sources = e.Sources }),
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n";

    /// <summary>
    /// Reasons come from findings about attacker-controlled text: one line of at most 200 characters,
    /// with every control character (C0, C1 with U+0085), format character (bidi controls, zero-width
    /// ones, the byte order mark), line or paragraph separator and lone surrogate made a space.
    /// </summary>
    private static string Clean(string reason)
    {
        var text = new StringBuilder(Math.Min(reason.Length, 200));
        foreach (var rune in reason.EnumerateRunes())
        {
            if (text.Length + rune.Utf16SequenceLength > 200)
            {
                break;
            }

            var harmless = Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
            text.Append(harmless ? rune.ToString() : " ");
        }

        return text.ToString();
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x!.AsSpan().SequenceCompareTo(y);
    }
}
