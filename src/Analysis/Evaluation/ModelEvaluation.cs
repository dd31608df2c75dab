using System.Net;
using System.Text.Json;
using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Analysis.Evaluation;

/// <summary>The best a single feature does as a score on its own: the baseline the model must beat.</summary>
/// <param name="HigherIsWorse">Whether the rule flags high values (unknown-recipient share) or low ones (messages accepted).</param>
public sealed record SingleRule(string Feature, bool HigherIsWorse, double RecallAtFpr01);

/// <summary>The model against one attack shape alone, beside the best single feature on that shape.</summary>
/// <param name="Shape">The truth's <c>detail.shape</c> (the kind where it has none).</param>
public sealed record ShapeRanking(string Shape, RankingMetrics Model, SingleRule BestRule);

/// <summary>
/// IP scores against a simulation's truth, per (day, address): an address is an attacker on a day when
/// an attack record of that day names it or its network, or lists it as one of the clients it used
/// (<c>detail.client_ips</c>: a compromised login's); innocent when a legitimate record names it, or
/// a record the truth marks innocent (<c>detail.innocent</c>: a server that bounced backscatter, of a
/// wave or alone) — innocent addresses are the negatives; addresses the truth does not mention are
/// left out.
/// </summary>
/// <param name="All">Every attacking address against every legitimate one.</param>
/// <param name="LowAndSlow">Only the hard attackers — low-and-slow harvest members, dictionary-botnet and spam-botnet bots — against every legitimate address.</param>
/// <param name="BestRuleAll">The single feature with the best recall at 0.1% false positives over all attackers.</param>
/// <param name="BestRuleLowAndSlow">The same over the hard attackers.</param>
/// <param name="FalsePositives">Legitimate addresses scored at least 0.5, worst first (day, address, score).</param>
/// <param name="Missed">Attacking addresses scored below 0.5, mildest first (day, address, kind, score).</param>
/// <param name="PerShape">Each attack shape alone against every innocent address, the hard ones of issue 17 first.</param>
/// <param name="InnocentBouncers">(scored, at 0.5 or more) of the addresses the truth marks innocent bouncers.</param>
public sealed record ModelEvaluation(
    RankingMetrics All, RankingMetrics LowAndSlow, SingleRule BestRuleAll, SingleRule BestRuleLowAndSlow,
    IReadOnlyList<string> FalsePositives, IReadOnlyList<string> Missed)
{
    /// <summary>Truth shapes and kinds that no per-address threshold sees: each member does very little.</summary>
    private static readonly string[] HardShapes = ["slow_ipv4_24", "slow_ipv6_48", "botnet_dictionary"];

    private static readonly string[] HardKinds = ["spam_botnet"];

    /// <summary>The shapes of the harder world that look legitimate address by address (issue 17), reported first.</summary>
    public static IReadOnlyList<string> LookLegitimateShapes { get; } = ["snowshoe", "very_slow", "compromised_account"];

    /// <summary>Truth kinds that are about the estate, not a sender.</summary>
    private static readonly string[] EstateKinds = ["mx_failover"];

    /// <summary>
    /// Truth kinds about other receivers' DMARC reports, not about the relays' traffic: the IP scores judge
    /// what the relays saw (a forger that also hit us is there as a <c>spoofing</c> record already).
    /// </summary>
    private static readonly string[] ReportKinds = [DetectorNames.DmarcForgery, DetectorNames.OutboundAuthFailure, "legitimate:dmarc_forwarder"];

    public IReadOnlyList<ShapeRanking> PerShape { get; init; } = [];

    public (int Scored, int Flagged) InnocentBouncers { get; init; }

    /// <summary>The shapes of <see cref="LookLegitimateShapes"/> together against every innocent address, beside the best single feature on them; null when none was scored.</summary>
    public ShapeRanking? LookLegitimate { get; init; }

    public static ModelEvaluation Evaluate(IEnumerable<string> truthLines, IReadOnlyList<IpScore> scores, IReadOnlyList<IpFeatureRow> features)
    {
        ArgumentNullException.ThrowIfNull(truthLines);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(features);
        var truth = TruthByDay(truthLines);
        var featuresByKey = features.ToDictionary(f => (f.Day, f.Ip));
        var judged = new List<(IpScore Score, IpFeatureRow Row, string? AttackKind, bool Hard, string Shape)>();
        var bouncers = (Scored: 0, Flagged: 0);
        foreach (var score in scores)
        {
            if (!featuresByKey.TryGetValue((score.Day, score.Ip), out var row) || !truth.TryGetValue(score.Day, out var day))
            {
                continue;
            }

            var address = IPAddress.Parse(score.Ip);
            var attack = day.Attacks.TryGetValue(address, out var exact) ? exact
                : day.AttackNetworks.FirstOrDefault(t => t.Network.Contains(address)) is { Kind: not null } wide ? (wide.Kind, wide.Hard, wide.Shape)
                : default;
            if (attack.Kind is not null)
            {
                judged.Add((score, row, attack.Kind, attack.Hard, attack.Shape));
            }
            else if (day.Legitimate.Contains(address))
            {
                judged.Add((score, row, null, false, string.Empty));
                if (day.Bouncers.Contains(address))
                {
                    bouncers = (bouncers.Scored + 1, bouncers.Flagged + (score.Score >= 0.5 ? 1 : 0));
                }
            }
        }

        var legitimate = judged.Where(j => j.AttackKind is null).ToList();
        var hard = judged.Where(j => j.Hard).Concat(legitimate).ToList();
        var shapes = judged.Where(j => j.AttackKind is not null).Select(j => j.Shape).Distinct(StringComparer.Ordinal)
            .OrderBy(s => LookLegitimateShapes.Contains(s) ? LookLegitimateShapes.ToList().IndexOf(s) : LookLegitimateShapes.Count).ThenBy(s => s, StringComparer.Ordinal).ToList();
        var perShape = shapes.Select(shape =>
        {
            var rows = judged.Where(j => j.Shape == shape).Concat(legitimate).ToList();
            return new ShapeRanking(shape, RankingMetrics.Compute([.. rows.Select(j => (j.Score.Score, j.AttackKind is not null))]), BestRule([.. rows.Select(j => (j.Row, j.AttackKind is not null))]));
        }).ToList();
        var lookLegitimate = judged.Where(j => j.AttackKind is not null && LookLegitimateShapes.Contains(j.Shape)).ToList();
        var together = lookLegitimate.Concat(legitimate).ToList();
        return new ModelEvaluation(
            RankingMetrics.Compute([.. judged.Select(j => (j.Score.Score, j.AttackKind is not null))]),
            RankingMetrics.Compute([.. hard.Select(j => (j.Score.Score, j.AttackKind is not null))]),
            BestRule([.. judged.Select(j => (j.Row, j.AttackKind is not null))]),
            BestRule([.. hard.Select(j => (j.Row, j.AttackKind is not null))]),
            [.. legitimate.Where(j => j.Score.Score >= 0.5).OrderByDescending(j => j.Score.Score).Select(j => $"{j.Score.Day:yyyy-MM-dd} {j.Score.Ip} {j.Score.Score:F3}")],
            [.. judged.Where(j => j.AttackKind is not null && j.Score.Score < 0.5).OrderBy(j => j.Score.Score).Select(j => $"{j.Score.Day:yyyy-MM-dd} {j.Score.Ip} {j.AttackKind} {j.Score.Score:F3}")])
        {
            PerShape = perShape,
            InnocentBouncers = bouncers,
            LookLegitimate = lookLegitimate.Count == 0 ? null
                : new ShapeRanking("look-legitimate", RankingMetrics.Compute([.. together.Select(j => (j.Score.Score, j.AttackKind is not null))]), BestRule([.. together.Select(j => (j.Row, j.AttackKind is not null))])),
        };
    }

    /// <summary>What the truth says of an address on a day: true an attacker, false innocent, null not mentioned.</summary>
    internal static Func<DateOnly, string, bool?> Classifier(IEnumerable<string> truthLines)
    {
        var truth = TruthByDay(truthLines);
        return (day, ip) =>
        {
            if (!truth.TryGetValue(day, out var known) || !IPAddress.TryParse(ip, out var address))
            {
                return null;
            }

            return known.Attacks.ContainsKey(address) || known.AttackNetworks.Any(t => t.Network.Contains(address)) ? true
                : known.Legitimate.Contains(address) ? false
                : null;
        };
    }

    /// <summary>Each feature alone, both ways round; the one with the best recall at 0.1% false positives.</summary>
    internal static SingleRule BestRule(IReadOnlyList<(IpFeatureRow Row, bool Bad)> rows)
    {
        var best = new SingleRule(string.Empty, true, 0);
        for (var i = 0; i < FeatureCatalog.All.Count; i++)
        {
            foreach (var higherIsWorse in new[] { true, false })
            {
                var recall = RankingMetrics.RecallAtFalsePositiveRate([.. rows.Select(r => ((double)(higherIsWorse ? r.Row.Values[i] : -r.Row.Values[i]), r.Bad))], 0.001);
                if (recall > best.RecallAtFpr01)
                {
                    best = new SingleRule(FeatureCatalog.All[i].Name, higherIsWorse, recall);
                }
            }
        }

        return best;
    }

    private sealed class TruthDay
    {
        public Dictionary<IPAddress, (string Kind, bool Hard, string Shape)> Attacks { get; } = [];

        public List<(string Kind, IPNetwork Network, bool Hard, string Shape)> AttackNetworks { get; } = [];

        /// <summary>Innocent addresses: legitimate senders and bouncing servers.</summary>
        public HashSet<IPAddress> Legitimate { get; } = [];

        /// <summary>The innocent addresses that are bouncing servers.</summary>
        public HashSet<IPAddress> Bouncers { get; } = [];
    }

    private static Dictionary<DateOnly, TruthDay> TruthByDay(IEnumerable<string> lines)
    {
        var byDay = new Dictionary<DateOnly, TruthDay>();
        foreach (var line in lines.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var kind = root.GetProperty("kind").GetString() ?? string.Empty;
            var hasDetail = root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.Object;
            var sender = hasDetail && detail.TryGetProperty("sender", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() : null;
            if (EstateKinds.Contains(kind) || ReportKinds.Contains(kind) || ReportKinds.Contains($"{kind}:{sender}"))
            {
                continue;
            }

            var shape = hasDetail && detail.TryGetProperty("shape", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            var hard = HardKinds.Contains(kind) || (shape is not null && HardShapes.Contains(shape));
            var innocent = kind is "legitimate" or "bouncer" || (hasDetail && detail.TryGetProperty("innocent", out var i) && i.ValueKind == JsonValueKind.True);
            var bouncer = kind == "bouncer" || (innocent && kind == "backscatter");
            // A record covers every day from its start to its end (a legitimate sender's spans the simulation).
            var (start, end) = (DateOnly.FromDateTime(root.GetProperty("start").GetDateTimeOffset().UtcDateTime), DateOnly.FromDateTime(root.GetProperty("end").GetDateTimeOffset().UtcDateTime));
            for (var day = start; day <= end; day = day.AddDays(1))
            {
                if (!byDay.TryGetValue(day, out var truth))
                {
                    byDay[day] = truth = new TruthDay();
                }

                Add(truth, root, innocent ? null : kind, hard, shape ?? kind, bouncer);
            }
        }

        return byDay;
    }

    /// <param name="attackKind">The attack's kind; null for an innocent record.</param>
    private static void Add(TruthDay truth, JsonElement root, string? attackKind, bool hard, string shape, bool bouncer)
    {
        // A compromised login's subject is the login; the addresses it was used from are what the scores see.
        List<JsonElement> clients = root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("client_ips", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().ToList() : [];
        foreach (var subject in root.GetProperty("subjects").EnumerateArray().Concat(clients))
        {
            var text = subject.GetString() ?? string.Empty;
            if (attackKind is null && IPAddress.TryParse(text, out var sender))
            {
                truth.Legitimate.Add(sender);
                if (bouncer)
                {
                    truth.Bouncers.Add(sender);
                }
            }
            else if (attackKind is not null && IPAddress.TryParse(text, out var attacker))
            {
                truth.Attacks.TryAdd(attacker, (attackKind, hard, shape));
            }
            else if (attackKind is not null && Subjects.ParseNetwork(text) is { } network)
            {
                truth.AttackNetworks.Add((attackKind, network, hard, shape));
            }
        }
    }
}
