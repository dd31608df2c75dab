using System.Globalization;
using Hangfire;
using RelayWatch.Analysis.Estate;
using RelayWatch.Reports.Delivery;
using RelayWatch.Store;

namespace RelayWatch.Reports.Jobs;

/// <summary>The estate and report settings the daily job runs with, and the folder it writes to.</summary>
public sealed record ReportJobSettings(EstateSettings Estate, ReportSettings Reports, string Folder);

/// <summary>
/// The daily report as a Hangfire job: at 01:30 UTC, after yesterday was closed (00:30), scored (00:45)
/// and the blocklist updated (01:15), write yesterday's report and mail it to <see cref="ReportSettings.MailTo"/>.
/// Rerunning replaces the day's files; a failed delivery fails the job (Hangfire retries it) but the files stay.
/// </summary>
public sealed class ReportJobs(IClickHouseStore store, ReportJobSettings settings, TimeProvider time)
{
    public const string DailyJobId = "report-daily";
    public const string DailyCron = "30 1 * * *";

    [AutomaticRetry(Attempts = 3)]
    public Task<string> ReportYesterdayAsync(CancellationToken cancellationToken) =>
        ReportAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1), cancellationToken);

    /// <summary>A day's report on demand (<c>POST /api/report?day=D</c>); the day as text, as Hangfire stores arguments.</summary>
    [AutomaticRetry(Attempts = 1)]
    public Task<string> ReportDayAsync(string day, CancellationToken cancellationToken) =>
        ReportAsync(DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture), cancellationToken);

    private async Task<string> ReportAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var report = await new ReportBuilder(store, settings.Estate, settings.Reports, time).BuildAsync(day, cancellationToken).ConfigureAwait(false);
        var written = await ReportWriter.WriteAsync(report, settings.Folder, ReportWriter.Formats, cancellationToken).ConfigureAwait(false);
        if (settings.Reports.MailTo.Count > 0)
        {
            await new ReportMailer(settings.Reports.Mail).SendAsync(day, written, settings.Reports.MailTo, cancellationToken).ConfigureAwait(false);
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{day:yyyy-MM-dd}: {Path.GetFileName(written.Html)}; {report.Summary.Callouts.Count} callout(s){(settings.Reports.MailTo.Count > 0 ? $"; mailed to {string.Join(", ", settings.Reports.MailTo)}" : string.Empty)}");
    }
}
