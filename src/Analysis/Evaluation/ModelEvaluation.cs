using System.Net;
using System.Text.Json;
using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Analysis.Evaluation;

/// <summary>The best a single feature does as a score on its own: the baseline the model must beat.</summary>
/// <param name="HigherIsWorse">Whether the rule flags high values (unknown-recipient share) or low ones (messages accepted).</param>
public sealed record SingleRule(string Feature, bool HigherIsWorse, double RecallAtFpr01);

/// <summary>
/// IP scores against a simulation's truth, per (day, address): an address is an attacker on a day when
/// an attack record of that day names it or its network, legitimate when a legitimate record names it;
/// addresses the truth does not mention are left out.
/// </summary>
/// <param name="All">Every attacking address against every legitimate one.</param>
/// <param name="LowAndSlow">Only the hard attackers — low-and-slow harvest members, dictionary-botnet and spam-botnet bots — against every legitimate address.</param>
/// <param name="BestRuleAll">The single feature with the best recall at 0.1% false positives over all attackers.</param>
/// <param name="BestRuleLowAndSlow">The same over the hard attackers.</param>
/// <param name="FalsePositives">Legitimate addresses scored at least 0.5, worst first (day, address, score).</param>
/// <param name="Missed">Attacking addresses scored below 0.5, mildest first (day, address, kind, score).</param>
public sealed record ModelEvaluation(
    RankingMetrics All, RankingMetrics LowAndSlow, SingleRule BestRuleAll, SingleRule BestRuleLowAndSlow,
    IReadOnlyList<string> FalsePositives, IReadOnlyList<string> Missed)
{
    /// <summary>Truth shapes and kinds that no per-address threshold sees: each member does very little.</summary>
    private static readonly string[] HardShapes = ["slow_ipv4_24", "slow_ipv6_48", "botnet_dictionary"];

    private static readonly string[] HardKinds = ["spam_botnet"];

    public static ModelEvaluation Evaluate(IEnumerable<string> truthLines, IReadOnlyList<IpScore> scores, IReadOnlyList<IpFeatureRow> features)
    {
        ArgumentNullException.ThrowIfNull(truthLines);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(features);
        var truth = TruthByDay(truthLines);
        var featuresByKey = features.ToDictionary(f => (f.Day, f.Ip));
        var judged = new List<(IpScore Score, IpFeatureRow Row, string? AttackKind, bool Hard)>();
        foreach (var score in scores)
        {
            if (!featuresByKey.TryGetValue((score.Day, score.Ip), out var row) || !truth.TryGetValue(score.Day, out var day))
            {
                continue;
            }

            var address = IPAddress.Parse(score.Ip);
            var attack = day.Attacks.TryGetValue(address, out var exact) ? exact
                : day.AttackNetworks.FirstOrDefault(t => t.Network.Contains(address)) is { Kind: not null } wide ? (wide.Kind, wide.Hard)
                : default;
            if (attack.Kind is not null)
            {
                judged.Add((score, row, attack.Kind, attack.Hard));
            }
            else if (day.Legitimate.Contains(address))
            {
                judged.Add((score, row, null, false));
            }
        }

        var legitimate = judged.Where(j => j.AttackKind is null).ToList();
        var hard = judged.Where(j => j.Hard).Concat(legitimate).ToList();
        return new ModelEvaluation(
            RankingMetrics.Compute([.. judged.Select(j => (j.Score.Score, j.AttackKind is not null))]),
            RankingMetrics.Compute([.. hard.Select(j => (j.Score.Score, j.AttackKind is not null))]),
            BestRule([.. judged.Select(j => (j.Row, j.AttackKind is not null))]),
            BestRule([.. hard.Select(j => (j.Row, j.AttackKind is not null))]),
            [.. legitimate.Where(j => j.Score.Score >= 0.5).OrderByDescending(j => j.Score.Score).Select(j => $"{j.Score.Day:yyyy-MM-dd} {j.Score.Ip} {j.Score.Score:F3}")],
            [.. judged.Where(j => j.AttackKind is not null && j.Score.Score < 0.5).OrderBy(j => j.Score.Score).Select(j => $"{j.Score.Day:yyyy-MM-dd} {j.Score.Ip} {j.AttackKind} {j.Score.Score:F3}")]);
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
        public Dictionary<IPAddress, (string Kind, bool Hard)> Attacks { get; } = [];

        public List<(string Kind, IPNetwork Network, bool Hard)> AttackNetworks { get; } = [];

        public HashSet<IPAddress> Legitimate { get; } = [];
    }

    private static Dictionary<DateOnly, TruthDay> TruthByDay(IEnumerable<string> lines)
    {
        var byDay = new Dictionary<DateOnly, TruthDay>();
        foreach (var line in lines.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var kind = root.GetProperty("kind").GetString() ?? string.Empty;
            var shape = root.TryGetProperty("detail", out var detail) && detail.TryGetProperty("shape", out var s) ? s.GetString() : null;
            var hard = HardKinds.Contains(kind) || (shape is not null && HardShapes.Contains(shape));
            // A record covers every day from its start to its end (a legitimate sender's spans the simulation).
            var (start, end) = (DateOnly.FromDateTime(root.GetProperty("start").GetDateTimeOffset().UtcDateTime), DateOnly.FromDateTime(root.GetProperty("end").GetDateTimeOffset().UtcDateTime));
            for (var day = start; day <= end; day = day.AddDays(1))
            {
                if (!byDay.TryGetValue(day, out var truth))
                {
                    byDay[day] = truth = new TruthDay();
                }

                Add(truth, root, kind, hard);
            }
        }

        return byDay;
    }

    private static void Add(TruthDay truth, JsonElement root, string kind, bool hard)
    {
        foreach (var subject in root.GetProperty("subjects").EnumerateArray())
        {
            var text = subject.GetString() ?? string.Empty;
            if (kind == "legitimate" && IPAddress.TryParse(text, out var sender))
            {
                truth.Legitimate.Add(sender);
            }
            else if (kind != "legitimate" && IPAddress.TryParse(text, out var attacker))
            {
                truth.Attacks.TryAdd(attacker, (kind, hard));
            }
            else if (kind != "legitimate" && Subjects.ParseNetwork(text) is { } network)
            {
                truth.AttackNetworks.Add((kind, network, hard));
            }
        }
    }
}
