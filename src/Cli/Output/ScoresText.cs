using System.Globalization;
using System.Text;
using RelayWatch.Analysis.Scoring;

namespace RelayWatch.Cli.Output;

/// <summary>How <c>train</c>, <c>score</c> and <c>demo</c> describe a model and its scores.</summary>
internal static class ScoresText
{
    public static string Model(ModelManifest model, int minimumLabels)
    {
        var text = new StringBuilder();
        var kind = model.Kind == ModelKinds.Supervised
            ? "boosted trees, calibrated probabilities"
            : "ANOMALY model: scores say how unusual a sender is, not how likely it is bad";
        text.AppendLine(CultureInfo.InvariantCulture, $"Model {model.Version} ({kind}).");
        text.AppendLine(CultureInfo.InvariantCulture, $"  learnt from {Days.Text(model.TrainingWindow.First)} to {Days.Text(model.TrainingWindow.Last)}: {model.BadLabels:N0} bad and {model.GoodLabels:N0} good addresses");
        if (model.Kind == ModelKinds.Anomaly)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  (fewer than {minimumLabels} of one kind, scoring.minimumLabelsPerClass; label senders with relaywatch label, or train on more days)");
        }

        text.AppendLine("  labels: " + string.Join(", ", model.LabelSources.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value:N0}"))));
        if (model.EvaluationWindow is { } window)
        {
            var measured = model.Evaluation is { } m
                ? string.Create(CultureInfo.InvariantCulture,
                    $"ROC AUC {m.RocAuc:F3}, PR AUC {m.PrAuc:F3}, recall {m.RecallAtFpr01:P1} at 0.1% false positives and {m.RecallAtFpr1:P1} at 1% ({m.Positives:N0} bad, {m.Negatives:N0} good)")
                : "nothing to measure (no bad or no good labels there)";
            text.AppendLine(CultureInfo.InvariantCulture, $"  measured on the later days {Days.Text(window.First)} to {Days.Text(window.Last)}: {measured}");
        }

        return text.ToString();
    }

    /// <summary>How many of the worst addresses a run keeps so that <see cref="Run"/> can fold campaigns and still fill <paramref name="lines"/> lines.</summary>
    public static int KeepFor(int lines) => Math.Min(lines * 50, 5_000);

    /// <summary>The run, its worst addresses in at most <paramref name="lines"/> lines: members of one network with about the same score share a line, with the first one's reasons.</summary>
    public static string Run(ScoreRun run, int lines)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Scored {run.Scored:N0} addresses on {Days.Text(run.Day)} with {run.Model.Version}.");
        if (run.Top.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("score  address                        why");
            var groups = new List<List<IpScore>>();
            foreach (var score in run.Top)
            {
                if (groups.Count > 0 && groups[^1][0] is var head && head.Network == score.Network && Math.Round(head.Score, 2) == Math.Round(score.Score, 2))
                {
                    groups[^1].Add(score);
                }
                else
                {
                    groups.Add([score]);
                }
            }

            foreach (var group in groups.Take(lines))
            {
                var who = group.Count == 1 ? group[0].Ip : string.Create(CultureInfo.InvariantCulture, $"{group.Count} addresses of {group[0].Network}");
                var why = string.Join("; ", group[0].Reasons);
                text.AppendLine(CultureInfo.InvariantCulture, $"{group[0].Score,5:F3}  {who,-30} {(group.Count == 1 ? why : $"e.g. {group[0].Ip}: {why}")}");
            }
        }

        text.AppendLine();
        text.AppendLine(!run.DriftChecked
            ? string.Create(CultureInfo.InvariantCulture, $"Too few addresses to check for drift (needs {DriftCheck.MinimumRows}).")
            : run.DriftWarnings.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"No drift from the training window (largest PSI {run.MaxPsi:F2}).")
            : "Drift — consider relaywatch train: " + string.Join("; ", run.DriftWarnings) + ".");
        return text.ToString();
    }
}
