using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;

namespace RelayWatch.Analysis.Blocklists;

/// <summary>What one update changed.</summary>
public sealed record BlocklistUpdate(
    DateOnly Day, IReadOnlyList<BlocklistEntry> Listed, IReadOnlyList<BlocklistEntry> Renewed, IReadOnlyList<BlocklistEntry> Review,
    IReadOnlyList<BlocklistEntry> Expired, IReadOnlyList<(string Subject, string Why)> Refused);

/// <summary>
/// Turns a day's findings and IP scores into blocklist changes, by the policy of <see cref="BlocklistSettings"/>:
/// candidates from the chosen detectors and from scores at or above the minimum; the guard's never-list
/// rules; prefix aggregation where enough members of a /24 (IPv4) or /48 (IPv6) are listed and no good
/// sender shares it; the impact check (a new entry that sent many accepted messages in the last 30 days
/// goes to review, not to the published list); time to live by severity, escalated for repeat
/// offenders; and expiry of what has run out. Every change is appended to <c>blocklist_changes</c>.
/// </summary>
public sealed class BlocklistUpdater(IClickHouseStore store, BlocklistSettings settings, EstateSettings estate, TimeProvider clock)
{
    /// <summary>The severity of a candidate that an IP score lists and no finding names.</summary>
    private const string ScoreOnly = "score";

    private static readonly string[] SeverityOrder = ["critical", "high", "medium", "low", ScoreOnly];

    public async Task<BlocklistUpdate> UpdateAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var current = (await BlocklistState.CurrentAsync(store, cancellationToken).ConfigureAwait(false)).ToDictionary(e => e.Subject, StringComparer.Ordinal);
        var ours = await EstateResolver.ResolveAsync(store, estate, day, cancellationToken).ConfigureAwait(false);
        var guard = new BlocklistGuard(settings, ours.InternalNetworks, ours.RelayAddresses, current.Values.Where(e => e.Action == BlocklistActions.Allowed).Select(e => e.Subject));

        var candidates = await CandidatesAsync(day, cancellationToken).ConfigureAwait(false);
        foreach (var aggregate in await AggregatesAsync(day, candidates, current.Values.Where(e => e.IsListedAt(now)), cancellationToken).ConfigureAwait(false))
        {
            candidates.TryAdd(aggregate.Subject, aggregate);
        }

        var refused = new List<(string, string)>();
        var accepted = new List<Candidate>();
        foreach (var candidate in candidates.Values.OrderBy(c => c.Subject, StringComparer.Ordinal))
        {
            if (guard.WhyNot(candidate.Subject) is { } why)
            {
                refused.Add((candidate.Subject, why));
            }
            else if (current.TryGetValue(candidate.Subject, out var state) && state.Action is BlocklistActions.Allowed)
            {
                refused.Add((candidate.Subject, $"{candidate.Subject} is allowed by {state.ChangedBy}."));
            }
            else
            {
                accepted.Add(candidate);
            }
        }

        var fresh = accepted.Where(c => !(current.TryGetValue(c.Subject, out var s) && s.IsListedAt(now))).Select(c => c.Subject).ToList();
        var impact = await AcceptedMessagesAsync(day, fresh, cancellationToken).ConfigureAwait(false);
        var bouncers = await BouncersAsync(day, fresh, cancellationToken).ConfigureAwait(false);
        var repeats = await BlocklistState.ListingsSinceAsync(store, now.AddDays(-settings.RepeatWindowDays), cancellationToken).ConfigureAwait(false);
        var (listed, renewed, review) = (new List<BlocklistEntry>(), new List<BlocklistEntry>(), new List<BlocklistEntry>());
        foreach (var candidate in accepted)
        {
            var sources = candidate.Sources.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (current.TryGetValue(candidate.Subject, out var state) && state.IsListedAt(now))
            {
                // Renewed when that moves the expiry out by a day or more: the hourly job would otherwise
                // write every listed subject into the audit trail every hour.
                var expires = now.AddDays(Ttl(candidate.Severity, 0));
                if (expires - state.ExpiresAt >= TimeSpan.FromDays(1))
                {
                    renewed.Add(state with { Reason = candidate.Reason, Sources = sources, ExpiresAt = expires, ChangedBy = "relaywatch", ChangedAt = now });
                }
            }
            else if (WhyHeld(candidate, bouncers, impact) is { } held)
            {
                if (state?.Action == BlocklistActions.Review)
                {
                    continue;
                }

                review.Add(new BlocklistEntry(candidate.Subject, BlocklistActions.Review, $"{candidate.Reason} — held for review: {held}",
                    sources, candidate.Severity, now, now, "relaywatch", now));
            }
            else
            {
                var ttl = Ttl(candidate.Severity, repeats.GetValueOrDefault(candidate.Subject));
                listed.Add(new BlocklistEntry(candidate.Subject, BlocklistActions.Listed, candidate.Reason, sources, candidate.Severity, now, now.AddDays(ttl), "relaywatch", now));
            }
        }

        var relisted = listed.Select(e => e.Subject).ToHashSet(StringComparer.Ordinal);
        var expired = current.Values
            .Where(e => e.Action == BlocklistActions.Listed && e.ExpiresAt <= now && !relisted.Contains(e.Subject))
            .Select(e => e with { Action = BlocklistActions.Expired, ChangedBy = "relaywatch", ChangedAt = now })
            .ToList();
        await BlocklistState.AppendAsync(store, [.. listed, .. renewed, .. review, .. expired], cancellationToken).ConfigureAwait(false);
        return new BlocklistUpdate(day, listed, renewed, review, expired, refused);
    }

    /// <summary>Days to list for, by severity, times the repeat factor for each earlier listing, capped.</summary>
    internal double Ttl(string severity, int earlierListings) =>
        Math.Min(settings.MaxTtlDays, settings.TtlDays.GetValueOrDefault(severity, 7) * Math.Pow(settings.RepeatFactor, earlierListings));

    private sealed record Candidate(string Subject, string Severity, string Reason, List<string> Sources);

    private async Task<Dictionary<string, Candidate>> CandidatesAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var candidates = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        void Add(string subject, string severity, string reason, string source)
        {
            var canonical = Subjects.Canonical(subject);
            if (canonical is null)
            {
                return;
            }

            if (candidates.TryGetValue(canonical, out var existing))
            {
                existing.Sources.Add(source);
                if (Array.IndexOf(SeverityOrder, severity) < Array.IndexOf(SeverityOrder, existing.Severity))
                {
                    candidates[canonical] = existing with { Severity = severity, Reason = reason };
                }
            }
            else
            {
                candidates[canonical] = new Candidate(canonical, severity, reason, [source]);
            }
        }

        foreach (var finding in await Finding.ReadAsync(store, day, day, cancellationToken).ConfigureAwait(false))
        {
            if (settings.Detectors.Contains(finding.Detector))
            {
                foreach (var subject in finding.ListableSubjects())
                {
                    Add(subject, finding.Severity, $"{finding.Detector}: {FindingExplainer.Explain(finding)}", $"finding:{finding.Detector}:{day:yyyy-MM-dd}");
                }
            }
        }

        if (settings.MinimumScore is { } minimum)
        {
            var scores = await store.QueryListAsync(
                """
                SELECT ip, toDecimalString(score, 3), model, arrayStringConcat(reasons, '; ')
                FROM ip_scores
                WHERE day = {day:Date} AND score >= {min:Float64}
                  AND model = (SELECT argMax(model, created_at) FROM ip_scores WHERE day = {day:Date})
                """,
                new Dictionary<string, string> { ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["min"] = minimum.ToString(CultureInfo.InvariantCulture) },
                cancellationToken).ConfigureAwait(false);
            foreach (var row in scores)
            {
                Add(row[0], ScoreOnly, $"IP score {row[1]} ({row[2]}): {row[3]}", $"score:{row[1]}:{row[2]}");
            }
        }

        return candidates;
    }

    /// <summary>
    /// A /24 (IPv4) or /48 (IPv6) with at least <see cref="BlocklistSettings.AggregateMembers"/> listed
    /// addresses, when no address in it had mail accepted in the last 30 days without being listed itself.
    /// </summary>
    private async Task<IReadOnlyList<Candidate>> AggregatesAsync(DateOnly day, Dictionary<string, Candidate> candidates, IEnumerable<BlocklistEntry> listed, CancellationToken cancellationToken)
    {
        var addresses = candidates.Keys.Concat(listed.Select(e => e.Subject))
            .Select(s => (Subject: s, Network: Subjects.ParseNetwork(s)))
            .Where(p => p.Network is { } n && n.PrefixLength == (n.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
            .Select(p => p.Subject)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var groups = addresses.GroupBy(PrefixOf).Where(g => g.Count() >= settings.AggregateMembers).ToList();
        if (groups.Count == 0)
        {
            return [];
        }

        var goodSenders = await store.QueryListAsync(
            $"""
            SELECT {Sql.ClientNetwork} AS network, toJSONString(groupUniqArray(200)({Sql.ClientIp}))
            FROM smtp_events
            WHERE toDate(ts) BETWEEN {"{first:Date}"} AND {"{day:Date}"} AND event = 'message' AND network IN {"{networks:Array(String)}"}
            GROUP BY network
            """,
            new Dictionary<string, string>
            {
                ["first"] = day.AddDays(-29).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["networks"] = SqlText.QuoteArray([.. groups.Select(g => g.Key)]),
            },
            cancellationToken).ConfigureAwait(false);
        var senders = goodSenders.ToDictionary(r => r[0], r => System.Text.Json.JsonSerializer.Deserialize<string[]>(r[1]) ?? [], StringComparer.Ordinal);
        var bad = addresses.ToHashSet(StringComparer.Ordinal);
        return [.. groups
            .Where(g => !senders.TryGetValue(g.Key, out var accepted) || accepted.All(bad.Contains))
            .Select(g => new Candidate(g.Key, "medium",
                string.Create(CultureInfo.InvariantCulture, $"{g.Count()} listed addresses in {g.Key} and no good sender there in 30 days"),
                [.. g.Select(m => "member:" + m)]))];
    }

    /// <summary>
    /// Why a new candidate goes to an analyst instead of the published list, or null: a bouncing server of a
    /// backscatter wave, or a sender we took more mail from than the impact check allows.
    /// </summary>
    private string? WhyHeld(Candidate candidate, IReadOnlySet<string> bouncers, IReadOnlyDictionary<string, long> impact)
    {
        if (bouncers.Contains(candidate.Subject))
        {
            return "everything it sent that day was bounces (the null sender, one recipient each), as an innocent server bouncing mail that forged our domain sends";
        }

        var allowed = candidate.Severity == ScoreOnly ? settings.ReviewScoredAboveAcceptedMessages : settings.ReviewAboveAcceptedMessages;
        return impact.TryGetValue(candidate.Subject, out var messages) && messages > allowed
            ? string.Create(CultureInfo.InvariantCulture, $"{messages} accepted messages from it in the last 30 days")
            : null;
    }

    /// <summary>
    /// The subjects (addresses) whose every recipient on the day was bounce-shaped (<see cref="Sql.BounceShaped"/>):
    /// the servers of a backscatter wave, never listed automatically however they score.
    /// </summary>
    private async Task<IReadOnlySet<string>> BouncersAsync(DateOnly day, IReadOnlyList<string> subjects, CancellationToken cancellationToken)
    {
        if (subjects.Count == 0)
        {
            return new HashSet<string>();
        }

        var rows = await store.QueryListAsync(
            $"""
            SELECT ip
            FROM
            (
                SELECT {Sql.ClientIp} AS ip, event, {Sql.BounceShaped} AS bounce_shaped
                FROM smtp_events
                WHERE toDate(ts) = {"{day:Date}"} AND event IN ('rcpt_reject', 'delivery', 'disconnect')
                {Sql.SessionWindow}
            )
            WHERE event != 'disconnect' AND ip IN {"{subjects:Array(String)}"}
            GROUP BY ip
            HAVING countIf(NOT bounce_shaped) = 0
            """,
            new Dictionary<string, string>
            {
                ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["subjects"] = SqlText.QuoteArray(subjects),
            },
            cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r[0]).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Accepted messages in the last 30 days from each subject (an address, or a /24 or /48).</summary>
    private async Task<IReadOnlyDictionary<string, long>> AcceptedMessagesAsync(DateOnly day, IReadOnlyList<string> subjects, CancellationToken cancellationToken)
    {
        if (subjects.Count == 0)
        {
            return new Dictionary<string, long>();
        }

        var rows = await store.QueryListAsync(
            $"""
            SELECT subject, count()
            FROM
            (
                SELECT {Sql.ClientIp} AS ip, {Sql.ClientNetwork} AS network
                FROM smtp_events
                WHERE toDate(ts) BETWEEN {"{first:Date}"} AND {"{day:Date}"} AND event = 'message'
            )
            ARRAY JOIN [ip, network] AS subject
            WHERE subject IN {"{subjects:Array(String)}"}
            GROUP BY subject
            """,
            new Dictionary<string, string>
            {
                ["first"] = day.AddDays(-29).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["subjects"] = SqlText.QuoteArray(subjects),
            },
            cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    /// <summary>The /24 or /48 an address lies in, as CIDR text.</summary>
    private static string PrefixOf(string address)
    {
        var ip = IPAddress.Parse(address);
        var length = ip.AddressFamily == AddressFamily.InterNetwork ? 24 : 48;
        var bytes = ip.GetAddressBytes();
        for (var bit = length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPNetwork(new IPAddress(bytes), length).ToString();
    }

}
