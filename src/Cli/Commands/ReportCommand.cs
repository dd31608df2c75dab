using System.CommandLine;
using MimeKit;
using RelayWatch.Cli.Configuration;
using RelayWatch.Reports;
using RelayWatch.Reports.Delivery;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch report</c>: writes the daily analyst report (HTML, Markdown, JSON) and optionally mails it.</summary>
internal static class ReportCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var day = new Option<string?>("--day") { Description = "The day to report [default: the latest day with events]", HelpName = "DATE" };
        var output = new Option<string>("--out") { Description = "Folder for the report's files", HelpName = "DIR", DefaultValueFactory = _ => "reports" };
        var format = new Option<string>("--format") { Description = $"Comma-separated formats: {string.Join(", ", ReportWriter.Formats)}", HelpName = "LIST", DefaultValueFactory = _ => string.Join(',', ReportWriter.Formats) };
        var mailTo = new Option<string[]>("--mail-to") { Description = "Mail the report to this address (repeatable) through the SMTP server of reports.mail", HelpName = "ADDR", AllowMultipleArgumentsPerToken = false };
        var command = new Command("report", "Write the daily report: summary, findings per detector, scored IPs, blocklist changes, traffic and capacity, data quality")
        {
            day, output, format, mailTo,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ =>
            {
                var config = globals.LoadConfig(parse);
                try
                {
                    config.Reports.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

                var formats = ParseFormats(parse.GetValue(format)!);
                var recipients = (parse.GetValue(mailTo) ?? []).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
                foreach (var recipient in recipients)
                {
                    if (!MailboxAddress.TryParse(recipient, out MailboxAddress? _) || !recipient.Contains('@', StringComparison.Ordinal))
                    {
                        throw new UsageException($"--mail-to \"{recipient}\" is not a mail address.");
                    }
                }

                return (Config: config, Day: Days.Parse(parse.GetValue(day), "--day"), Out: parse.GetValue(output)!, Formats: formats, Recipients: recipients);
            },
            async (store, arguments, token) =>
            {
                var reported = arguments.Day ?? await Days.LatestAsync(store, token).ConfigureAwait(false)
                    ?? throw new WorkFailedException("The store has no events yet; ingest logs first (relaywatch ingest PATH).");
                var written = await RunAsync(store, arguments.Config, reported, arguments.Out, arguments.Formats, token).ConfigureAwait(false);
                if (arguments.Recipients.Count > 0)
                {
                    try
                    {
                        await new ReportMailer(arguments.Config.Reports.Mail).SendAsync(reported, written, arguments.Recipients, token).ConfigureAwait(false);
                    }
                    catch (ReportDeliveryException e)
                    {
                        throw new WorkFailedException(e.Message);
                    }

                    Console.WriteLine($"Mailed to {string.Join(", ", arguments.Recipients)} through {arguments.Config.Reports.Mail.Host}:{arguments.Config.Reports.Mail.Port}.");
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    /// <summary>Builds and writes a day's report and says where it is; shared with demo.</summary>
    internal static async Task<WrittenReport> RunAsync(IClickHouseStore store, ConfigFile config, DateOnly day, string folder, IReadOnlyCollection<string> formats, CancellationToken cancellationToken)
    {
        var report = await new ReportBuilder(store, config.Estate, config.Reports, TimeProvider.System).BuildAsync(day, cancellationToken).ConfigureAwait(false);
        WrittenReport written;
        try
        {
            written = await ReportWriter.WriteAsync(report, folder, formats, cancellationToken).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new WorkFailedException($"The report cannot be written to {folder} ({e.Message.TrimEnd('.')}).");
        }

        Console.WriteLine(report.HasData
            ? $"Report for {Days.Text(day)}: {report.Summary.Callouts.Count} callout(s), {report.Detectors.Sum(d => d.Count)} finding(s), {report.Traffic.Relays.Sum(r => r.MessagesIn + r.MessagesOut):N0} messages."
            : $"Report for {Days.Text(day)}: the store has no events for that day; the report says so.");
        foreach (var callout in report.Summary.Callouts.Take(5))
        {
            Console.WriteLine($"  ! {new string([.. callout.Select(c => char.IsControl(c) ? '?' : c)])}");
        }

        foreach (var file in new[] { written.Html, written.Markdown, written.Json }.OfType<string>())
        {
            Console.WriteLine($"  {Path.GetFullPath(file)}");
        }

        return written;
    }

    private static List<string> ParseFormats(string text)
    {
        var formats = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(f => f.ToLowerInvariant()).Distinct().ToList();
        var unknown = formats.FirstOrDefault(f => !ReportWriter.Formats.Contains(f));
        if (unknown is not null || formats.Count == 0)
        {
            throw new UsageException($"--format \"{text}\" must list one or more of {string.Join(", ", ReportWriter.Formats)}.");
        }

        return formats;
    }
}
