using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Analysis.Evaluation;

/// <summary>
/// The labels the model would learn from, against a simulation's truth, per (day, address): how many
/// addresses the truth calls innocent (legitimate senders, bouncing servers) were labelled bad, and
/// by which source; and how many attackers were labelled bad. Addresses the truth does not mention are
/// not counted.
/// </summary>
/// <param name="Innocent">Innocent address-days with a label.</param>
/// <param name="InnocentBad">Those labelled bad, by label source (<c>finding:dha</c>, <c>dnsbl</c>…).</param>
/// <param name="InnocentLeftOut">Those left out of training (innocent by kind).</param>
/// <param name="Attackers">Attacking address-days with a label.</param>
/// <param name="AttackersBad">Those labelled bad.</param>
/// <param name="InnocentBadSamples">Up to ten innocent address-days labelled bad (day, address, source).</param>
public sealed record LabelAudit(
    int Innocent, IReadOnlyDictionary<string, int> InnocentBad, int InnocentLeftOut, int Attackers, int AttackersBad,
    IReadOnlyList<string> InnocentBadSamples)
{
    public int InnocentBadTotal => InnocentBad.Values.Sum();

    /// <param name="labelOf">The labels to audit: <see cref="LabelBook.LabelOf"/>.</param>
    public static LabelAudit Measure(IEnumerable<string> truthLines, IReadOnlyList<IpFeatureRow> rows, Func<IpFeatureRow, SenderLabel> labelOf)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labelOf);
        var classify = ModelEvaluation.Classifier(truthLines);
        var (innocent, leftOut, attackers, attackersBad) = (0, 0, 0, 0);
        var innocentBad = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var samples = new List<string>();
        foreach (var row in rows)
        {
            var attacker = classify(row.Day, row.Ip);
            if (attacker is null)
            {
                continue;
            }

            var label = labelOf(row);
            if (attacker.Value)
            {
                attackers++;
                attackersBad += label.Bad ? 1 : 0;
                continue;
            }

            innocent++;
            leftOut += label.Learnt ? 0 : 1;
            if (label.Bad)
            {
                innocentBad[label.Source] = innocentBad.GetValueOrDefault(label.Source) + 1;
                if (samples.Count < 10)
                {
                    samples.Add($"{row.Day:yyyy-MM-dd} {row.Ip} {label.Source}");
                }
            }
        }

        return new LabelAudit(innocent, innocentBad, leftOut, attackers, attackersBad, samples);
    }
}
