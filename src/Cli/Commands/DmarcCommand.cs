using System.CommandLine;
using System.Globalization;
using RelayWatch.Analysis.Dmarc;
using RelayWatch.Analysis.Estate;
using RelayWatch.Ingest.Dmarc;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// <c>relaywatch dmarc load PATH…</c> and <c>relaywatch dmarc fetch</c>: DMARC aggregate reports about our domains into
/// <c>dmarc_records</c>, exactly once per report, from files and folders or from a mailbox over IMAP. Refused reports
/// are named one sentence each on stderr and make the exit code 1; everything else is loaded all the same.
/// </summary>
internal static class DmarcCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Report files (.xml, .xml.gz, .zip, .eml mail messages) or folders of them, read recursively",
            Arity = ArgumentArity.OneOrMore,
        };
        var load = new Command("load", "Load DMARC aggregate reports (RFC 7489 or RFC 9990) from files and folders, each report once") { paths };
        load.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => Files(parse.GetValue(paths) ?? []),
            async (store, files, token) =>
            {
                var reader = new DmarcReportReader();
                var loader = new DmarcLoader(reader, new DmarcStore(store, TimeProvider.System), new TlsStore(store, TimeProvider.System));
                var summary = new DmarcLoadSummary();
                foreach (var file in files)
                {
                    var before = (Reports: summary.AllNew, Duplicates: summary.AllDuplicates, summary.Refusals.Count);
                    await loader.LoadFileAsync(file, summary, token).ConfigureAwait(false);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{file}: {summary.AllNew - before.Reports} new, {summary.AllDuplicates - before.Duplicates} already stored, {summary.Refusals.Count - before.Count} refused"));
                }

                return Finish(summary, $"{files.Count:N0} file(s)");
            },
            cancellationToken));

        var host = new Option<string?>("--host") { Description = "IMAP server [config: dmarc.imap.host]" };
        var port = new Option<int?>("--port") { Description = "Port (993 with tls, else 143) [config: dmarc.imap.port]" };
        var security = new Option<string?>("--security") { Description = "tls (default), starttls or none [config: dmarc.imap.security]" };
        var user = new Option<string?>("--user") { Description = "Login [config: dmarc.imap.user]" };
        var passwordFile = new Option<string?>("--password-file") { Description = "File whose first line is the password [config: dmarc.imap.passwordFile]", HelpName = "FILE" };
        var folder = new Option<string?>("--folder") { Description = "Folder the reports arrive in (INBOX) [config: dmarc.imap.folder]" };
        var moveTo = new Option<string?>("--move-to") { Description = "Folder to move each message to once its reports are stored; else they are marked seen [config: dmarc.imap.moveTo]" };
        var fetch = new Command("fetch", "Fetch DMARC aggregate reports from a mailbox over IMAP (MailKit), each report once") { host, port, security, user, passwordFile, folder, moveTo };
        fetch.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ =>
            {
                var configured = globals.LoadConfig(parse).Dmarc.Imap;
                var settings = new DmarcImapSettings
                {
                    Host = parse.GetValue(host) ?? configured.Host,
                    Port = parse.GetValue(port) ?? configured.Port,
                    Security = parse.GetValue(security) ?? configured.Security,
                    User = parse.GetValue(user) ?? configured.User,
                    PasswordFile = parse.GetValue(passwordFile) ?? configured.PasswordFile,
                    Folder = parse.GetValue(folder) ?? configured.Folder,
                    MoveTo = parse.GetValue(moveTo) ?? configured.MoveTo,
                    TimeoutSeconds = configured.TimeoutSeconds,
                };
                try
                {
                    settings.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

                return (Settings: settings, Password: Password(settings.PasswordFile!));
            },
            async (store, arguments, token) =>
            {
                var limits = new DmarcReadLimits();
                var reader = new DmarcReportReader(limits);
                var fetcher = new DmarcImapFetcher(arguments.Settings, reader, new DmarcLoader(reader, new DmarcStore(store, TimeProvider.System), new TlsStore(store, TimeProvider.System)), limits);
                var summary = new DmarcLoadSummary();
                int messages;
                try
                {
                    messages = await fetcher.FetchAsync(arguments.Password, summary, Console.WriteLine, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MailKit.Security.AuthenticationException or MailKit.CommandException or MailKit.ProtocolException
                    or MailKit.FolderNotFoundException or MailKit.Security.SslHandshakeException or System.Net.Sockets.SocketException)
                {
                    throw new WorkFailedException(
                        $"The mailbox {arguments.Settings.User}@{arguments.Settings.Host}:{arguments.Settings.PortOrDefault} could not be read: {e.Message.TrimEnd('.')}. " +
                        $"Reports stored before that stay stored ({summary.Reports:N0} new).");
                }

                return Finish(summary, $"{messages:N0} message(s) of {arguments.Settings.Folder}");
            },
            cancellationToken));

        var day = new Option<string?>("--day") { Description = "The day to show, YYYY-MM-DD [default: the latest day a report covers]", HelpName = "DATE" };
        var show = new Command("show", "Our domains as others see them on a day: forgers (and which also hit our relays), our outbound failing SPF/DKIM, each domain's policy") { day };
        show.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => (Config: globals.LoadConfig(parse), Day: Days.Parse(parse.GetValue(day), "--day")),
            async (store, arguments, token) =>
            {
                var view = new DmarcView(store);
                if ((arguments.Day ?? await view.LatestDayAsync(token).ConfigureAwait(false)) is not { } shown)
                {
                    await Console.Error.WriteLineAsync("relaywatch: No DMARC reports are stored yet; load them first (relaywatch dmarc load PATH, or dmarc fetch).").ConfigureAwait(false);
                    return ExitCodes.Failed;
                }

                var ours = await EstateResolver.ResolveAsync(store, arguments.Config.Estate, shown, token).ConfigureAwait(false);
                Print(await view.ReadAsync(shown, ours, token).ConfigureAwait(false), ours);
                return ExitCodes.Ok;
            },
            cancellationToken));

        return new Command("dmarc", "DMARC aggregate reports: how other receivers see mail sent as our domains") { load, fetch, show };
    }

    internal static void Print(DmarcDayView view, OurEstate ours)
    {
        Console.WriteLine($"DMARC reports covering {Days.Text(view.Day)}. Ours: {DetectCommand.EstateText(ours)}");
        Console.WriteLine();
        Console.WriteLine("Our domains as others see them:");
        if (view.Domains.Count == 0)
        {
            Console.WriteLine("  no report about our domains covers this day");
        }

        foreach (var domain in view.Domains)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {domain.Domain}  p={(domain.P.Length == 0 ? "?" : domain.P)} pct={domain.Pct}: {domain.Messages:N0} message(s); ours {domain.OursMessages:N0} ({domain.OursFailing:N0} failing DMARC); others failing DMARC {domain.Forged:N0} ({domain.ForgedDelivered:N0} delivered). {domain.Advice}."));
        }

        Console.WriteLine();
        Console.WriteLine($"Sending as our domains and failing DMARC ({view.Forgers.Count(f => f.AlsoHitOurRelays)} of {view.Forgers.Count} also hit our relays that day):");
        foreach (var forger in view.Forgers)
        {
            var relays = forger.AlsoHitOurRelays
                ? string.Create(CultureInfo.InvariantCulture, $"also hit our relays {string.Join(", ", forger.Relays)} ({forger.RelayEvents:N0} event(s))")
                : "not seen by our relays";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {forger.Ip,-15} {forger.Messages,8:N0} message(s) as {string.Join(", ", forger.Domains)}; reported by {string.Join(", ", forger.Reporters)} ({string.Join(", ", forger.Dispositions)}); {relays}"));
        }

        Console.WriteLine();
        Console.WriteLine($"Our own mail failing SPF or DKIM at receivers ({view.OutboundFailures.Count} source(s)):");
        foreach (var failure in view.OutboundFailures)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {failure.Ip,-15} {failure.Messages,8:N0} message(s): DKIM failing {failure.DkimFailing:N0}, SPF failing {failure.SpfFailing:N0}, DMARC failing {failure.DmarcFailing:N0}; as {string.Join(", ", failure.Domains)}; reported by {string.Join(", ", failure.Reporters)}"));
        }

        Console.WriteLine();
        Console.WriteLine("Failed TLS sessions toward our MX (SMTP TLS reports):");
        if (view.TlsFailures.Count == 0)
        {
            Console.WriteLine("  none reported for this day");
        }

        foreach (var failure in view.TlsFailures)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {failure.Domain}  {failure.ResultType}: {failure.Sessions:N0} session(s); reported by {string.Join(", ", failure.Reporters)}"));
        }
    }

    private static int Finish(DmarcLoadSummary summary, string from)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DMARC reports from {from}: {summary.Reports:N0} new report(s) with {summary.Records:N0} record(s) counting {summary.Messages:N0} message(s); {summary.Duplicates:N0} already stored (skipped); {summary.Refusals.Count:N0} refused."));
        if (summary.TlsReports + summary.TlsDuplicates > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SMTP TLS reports: {summary.TlsReports:N0} new, {summary.TlsDuplicates:N0} already stored (skipped)."));
        }

        foreach (var refusal in summary.Refusals)
        {
            Console.Error.WriteLine($"relaywatch: {refusal}.");
        }

        return summary.Refusals.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static List<string> Files(string[] paths)
    {
        foreach (var path in paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new UsageException($"{path} does not exist.");
            }
        }

        return [.. DmarcLoader.Expand(paths)];
    }

    private static string Password(string file)
    {
        try
        {
            using var reader = new StreamReader(file);
            return reader.ReadLine() ?? throw new UsageException($"The password file {file} is empty.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The password file {file} cannot be read ({e.Message.TrimEnd('.')}).");
        }
    }
}
