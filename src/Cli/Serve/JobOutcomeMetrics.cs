using Hangfire.States;
using Hangfire.Storage;
using Prometheus;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// Counts the jobs this process saw finish, by job (a recurring job's id, else the method it ran) and outcome.
/// A job fails here only when Hangfire gives up on it (its retries are spent), as the dashboard counts it.
/// </summary>
internal sealed class JobOutcomeMetrics : IApplyStateFilter
{
    public static readonly Counter Outcomes = Metrics.CreateCounter(
        "relaywatch_job_outcomes_total", "Jobs this serve process finished since it started, by job and outcome (succeeded or failed).", ["job", "outcome"]);

    /// <summary>Shows the known recurring jobs at zero before their first run, so a missing run is visible.</summary>
    public static void Declare(IEnumerable<string> recurringJobIds)
    {
        foreach (var id in recurringJobIds)
        {
            Outcomes.WithLabels(id, "succeeded");
            Outcomes.WithLabels(id, "failed");
        }
    }

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        var state = context.NewState.Name;
        var outcome = state == SucceededState.StateName ? "succeeded" : state == FailedState.StateName ? "failed" : null;
        if (outcome is null)
        {
            return;
        }

        string job;
        try
        {
            job = JobName(context);
        }
#pragma warning disable CA1031 // Counting must never stand in the way of a job's state change: the job store's error is its own business.
        catch (Exception)
#pragma warning restore CA1031
        {
            job = "unknown";
        }

        Outcomes.WithLabels(job, outcome).Inc();
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }

    private static string JobName(ApplyStateContext context)
    {
        // Hangfire keeps job parameters as JSON: the recurring job's id is a JSON string.
        var recurring = context.Connection.GetJobParameter(context.BackgroundJob.Id, "RecurringJobId");
        if (!string.IsNullOrEmpty(recurring))
        {
            try
            {
                return System.Text.Json.JsonSerializer.Deserialize<string>(recurring) ?? recurring;
            }
            catch (System.Text.Json.JsonException)
            {
                return recurring;
            }
        }

        var method = context.BackgroundJob.Job?.Method;
        return method is null ? "unknown" : $"{method.DeclaringType?.Name}.{method.Name}";
    }
}
