using RelayWatch.Analysis.Detection;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// Where a finding stands, as the daily report counts it: <see cref="New"/> or <see cref="Continuing"/> (its
/// detector named its subject in the seven days before), <see cref="Gone"/> (the detector did not name it the
/// next day, once that day has findings), and <see cref="Dismissed"/> by an analyst. A one-day finding is both
/// new and gone.
/// </summary>
internal static class FindingStatus
{
    public const string New = "new";
    public const string Continuing = "continuing";
    public const string Gone = "gone";
    public const string Dismissed = "dismissed";

    /// <summary>Every status, in the order the explorer offers them.</summary>
    public static IReadOnlyList<string> All { get; } = [New, Continuing, Gone, Dismissed];

    /// <summary>The days before a finding that make it continuing.</summary>
    public const int LookBackDays = 7;

    /// <summary>
    /// The statuses of each of <paramref name="findings"/>, given <paramref name="around"/>: the findings from
    /// <see cref="LookBackDays"/> days before the first to the day after the last; <paramref name="latest"/> is
    /// the newest day with findings at all (a later day has not been detected yet, so nothing is gone on it).
    /// </summary>
    public static Dictionary<Finding, IReadOnlyList<string>> Of(
        IReadOnlyList<Finding> findings, IReadOnlyList<Finding> around, DateOnly? latest, HashSet<(DateOnly, string, string)> dismissed)
    {
        var named = around.Select(f => (f.Day, f.Detector, f.Subject)).ToHashSet();
        var statuses = new Dictionary<Finding, IReadOnlyList<string>>();
        foreach (var f in findings)
        {
            var list = new List<string>(3);
            var before = Enumerable.Range(1, LookBackDays).Any(days => named.Contains((f.Day.AddDays(-days), f.Detector, f.Subject)));
            list.Add(before ? Continuing : New);
            if (latest is { } newest && f.Day < newest && !named.Contains((f.Day.AddDays(1), f.Detector, f.Subject)))
            {
                list.Add(Gone);
            }

            if (dismissed.Contains((f.Day, f.Detector, f.Subject)))
            {
                list.Add(Dismissed);
            }

            statuses[f] = list;
        }

        return statuses;
    }
}
