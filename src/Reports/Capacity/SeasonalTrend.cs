namespace RelayWatch.Reports.Capacity;

/// <summary>
/// A daily series fitted as exponential growth with a weekly pattern: log(messages) = level + growth · day
/// + weekday effect, by least squares. <see cref="Growth"/> is the daily growth rate (e^slope − 1), the
/// weekday factors say how Mondays and Sundays differ from the average day, and <see cref="Expected"/>
/// is the forecast.
/// </summary>
internal sealed class SeasonalTrend
{
    private readonly DateOnly origin;
    private readonly double level;
    private readonly double slope;
    private readonly double[] weekday; // Monday … Sunday, log effects, mean zero

    private SeasonalTrend(DateOnly origin, double level, double slope, double[] weekday, int days)
    {
        this.origin = origin;
        this.level = level;
        this.slope = slope;
        this.weekday = weekday;
        Days = days;
    }

    /// <summary>Days with traffic the fit used.</summary>
    public int Days { get; }

    /// <summary>Growth per day: 0.002 is 0.2 % a day.</summary>
    public double Growth => Math.Exp(slope) - 1;

    /// <summary>Monday … Sunday against the average day (1 = average).</summary>
    public IReadOnlyList<double> WeekdayFactors
    {
        get
        {
            var factors = weekday.Select(Math.Exp).ToList();
            var average = factors.Average();
            return [.. factors.Select(f => f / average)];
        }
    }

    /// <summary>The messages the fit expects on a day.</summary>
    public double Expected(DateOnly day) => Math.Exp(level + (slope * (day.DayNumber - origin.DayNumber)) + weekday[Index(day)]);

    /// <summary>Fits the days with traffic; null with fewer than <paramref name="minimumDays"/> of them.</summary>
    public static SeasonalTrend? Fit(IReadOnlyList<(DateOnly Day, double Messages)> series, int minimumDays)
    {
        var points = series.Where(p => p.Messages > 0).OrderBy(p => p.Day).ToList();
        if (points.Count < Math.Max(minimumDays, 9))
        {
            return null;
        }

        // Unknowns: level, slope, and effects for Tuesday … Sunday (Monday is the reference); a weekday
        // with no point keeps a zero effect rather than making the system singular.
        var origin = points[0].Day;
        const int unknowns = 8;
        var normal = new double[unknowns, unknowns];
        var right = new double[unknowns];
        foreach (var (day, messages) in points)
        {
            var row = new double[unknowns];
            row[0] = 1;
            row[1] = day.DayNumber - origin.DayNumber;
            var index = Index(day);
            if (index > 0)
            {
                row[1 + index] = 1;
            }

            var y = Math.Log(messages);
            for (var i = 0; i < unknowns; i++)
            {
                right[i] += row[i] * y;
                for (var j = 0; j < unknowns; j++)
                {
                    normal[i, j] += row[i] * row[j];
                }
            }
        }

        for (var i = 2; i < unknowns; i++)
        {
            if (normal[i, i] == 0)
            {
                normal[i, i] = 1; // no such weekday in the data: its effect stays 0
            }
        }

        var solution = Solve(normal, right);
        if (solution is null)
        {
            return null;
        }

        var effects = new double[7];
        for (var i = 1; i < 7; i++)
        {
            effects[i] = solution[1 + i];
        }

        var mean = effects.Average();
        return new SeasonalTrend(origin, solution[0] + mean, solution[1], [.. effects.Select(e => e - mean)], points.Count);
    }

    /// <summary>Monday = 0 … Sunday = 6.</summary>
    private static int Index(DateOnly day) => ((int)day.DayOfWeek + 6) % 7;

    /// <summary>Gaussian elimination with partial pivoting; null when the system is singular.</summary>
    private static double[]? Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (var column = 0; column < n; column++)
        {
            var pivot = column;
            for (var row = column + 1; row < n; row++)
            {
                if (Math.Abs(m[row, column]) > Math.Abs(m[pivot, column]))
                {
                    pivot = row;
                }
            }

            if (Math.Abs(m[pivot, column]) < 1e-12)
            {
                return null;
            }

            for (var k = 0; k < n; k++)
            {
                (m[column, k], m[pivot, k]) = (m[pivot, k], m[column, k]);
            }

            (x[column], x[pivot]) = (x[pivot], x[column]);
            for (var row = column + 1; row < n; row++)
            {
                var factor = m[row, column] / m[column, column];
                for (var k = column; k < n; k++)
                {
                    m[row, k] -= factor * m[column, k];
                }

                x[row] -= factor * x[column];
            }
        }

        for (var row = n - 1; row >= 0; row--)
        {
            var sum = x[row];
            for (var k = row + 1; k < n; k++)
            {
                sum -= m[row, k] * x[k];
            }

            x[row] = sum / m[row, row];
        }

        return x;
    }
}
