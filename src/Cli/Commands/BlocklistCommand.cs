using System.CommandLine;
using System.Globalization;
using RelayWatch.Analysis;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Cli.Configuration;
using RelayWatch.Store;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch blocklist …</c>: the list fed back to the relays, its lifecycle and its exports.</summary>
internal static class BlocklistCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("blocklist", "The blocklist fed back to the relays: update it from findings and scores, change it by hand, export it in each relay's format");
        command.Add(Update(globals));
        command.Add(List(globals));
        command.Add(Show(globals));
        command.Add(ByHand(globals, "add", "List an address or network by hand (the never-list rules still apply)", BlocklistActions.Listed));
        command.Add(ByHand(globals, "remove", "Take an entry off the list now (allow it to keep it off)", BlocklistActions.Removed));
        command.Add(ByHand(globals, "allow", "Never list an address or network, whatever the findings say", BlocklistActions.Allowed));
        command.Add(ByHand(globals, "unallow", "Withdraw an allow", BlocklistActions.Unallowed));
        command.Add(Diff(globals));
        command.Add(Export(globals));
        return command;
    }

    private static Command Update(GlobalOptions globals)
    {
        var day = new Option<string?>("--day") { Description = "The day whose findings and scores to list [default: the latest day with events]", HelpName = "DATE" };
        var command = new Command("update", "List what the day's findings and IP scores name, renew what is listed again, expire what ran out") { day };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => (Config: globals.LoadConfig(parse), Day: Days.Parse(parse.GetValue(day), "--day")),
            async (store, arguments, token) =>
            {
                var date = arguments.Day ?? await Days.LatestAsync(store, token).ConfigureAwait(false)
                    ?? throw new WorkFailedException("The store has no events yet; ingest logs first (relaywatch ingest PATH).");
                await RunUpdateAsync(store, arguments.Config, date, token).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    /// <summary>Updates and prints what changed; shared with demo.</summary>
    internal static async Task<BlocklistUpdate> RunUpdateAsync(IClickHouseStore store, ConfigFile config, DateOnly day, CancellationToken cancellationToken)
    {
        BlocklistUpdate update;
        try
        {
            update = await new BlocklistUpdater(store, config.Blocklists, config.Estate, TimeProvider.System).UpdateAsync(day, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Blocklist from {Days.Text(day)}: {update.Listed.Count} listed, {update.Renewed.Count} renewed, {update.Review.Count} held for review, {update.Expired.Count} expired, {update.Refused.Count} refused."));
        string[] worstFirst = ["critical", "high", "medium", "low", "analyst", "score"];
        foreach (var entry in update.Listed.OrderBy(e => Array.IndexOf(worstFirst, e.Severity)).ThenBy(e => e.Subject, StringComparer.Ordinal).Take(10))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  listed   {entry.Subject,-26} until {entry.ExpiresAt:yyyy-MM-dd}  {Shorten(entry.Reason)}"));
        }

        if (update.Listed.Count > 10)
        {
            Console.WriteLine($"  … and {update.Listed.Count - 10} more (relaywatch blocklist list)");
        }

        foreach (var entry in update.Review)
        {
            Console.WriteLine($"  review   {entry.Subject,-26} {Shorten(entry.Reason)}");
        }

        foreach (var (subject, why) in update.Refused.Take(10))
        {
            Console.WriteLine($"  refused  {subject,-26} {why}");
        }

        return update;
    }

    private static Command List(GlobalOptions globals)
    {
        var review = new Option<bool>("--review") { Description = "The entries held for review instead" };
        var all = new Option<bool>("--all") { Description = "Every subject's state: listed, review, expired, removed, allowed" };
        var command = new Command("list", "The published list now (what export writes)") { review, all };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => globals.LoadConfig(parse),
            async (store, config, token) =>
            {
                var now = DateTime.UtcNow;
                IReadOnlyList<BlocklistEntry> entries = parse.GetValue(all) || parse.GetValue(review)
                    ? [.. (await BlocklistState.CurrentAsync(store, token).ConfigureAwait(false)).Where(e => parse.GetValue(all) || e.Action == BlocklistActions.Review)]
                    : await BlocklistExport.PublishedAsync(store, config.Blocklists, config.Estate, now, token).ConfigureAwait(false);
                Console.WriteLine(entries.Count == 0 ? "Nothing." : "subject                    state      severity  until             reason");
                foreach (var e in entries)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{e.Subject,-26} {e.Action,-10} {e.Severity,-9} {(e.Action == BlocklistActions.Listed ? e.ExpiresAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : string.Empty),-17} {Shorten(e.Reason)}"));
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var subject = new Argument<string>("SUBJECT") { Description = "An address or network" };
        var command = new Command("show", "One subject's history: every change, why, by whom and when") { subject };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => Subjects.Canonical(parse.GetValue(subject)!) ?? throw new UsageException($"'{parse.GetValue(subject)}' is neither an IP address nor a network in CIDR notation."),
            async (store, canonical, token) =>
            {
                var history = await BlocklistState.HistoryAsync(store, canonical, token).ConfigureAwait(false);
                Console.WriteLine(history.Count == 0 ? $"{canonical} has never been on the blocklist." : $"{canonical}:");
                foreach (var e in history)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {e.ChangedAt:yyyy-MM-dd HH:mm:ss}  {e.Action,-9} by {e.ChangedBy}{(e.Action == BlocklistActions.Listed ? $" until {e.ExpiresAt:yyyy-MM-dd HH:mm}" : string.Empty)}: {e.Reason} [{string.Join(", ", e.Sources)}]"));
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command ByHand(GlobalOptions globals, string name, string description, string action)
    {
        var subject = new Argument<string>("SUBJECT") { Description = "An address or network (CIDR)" };
        var reason = new Option<string?>("--reason") { Description = "Why, kept in the history", HelpName = "TEXT" };
        var days = new Option<int>("--days") { Description = "Days to list for", HelpName = "N", DefaultValueFactory = _ => 30 };
        var command = new Command(name, description) { subject };
        if (action != BlocklistActions.Unallowed)
        {
            command.Add(reason);
        }

        if (action == BlocklistActions.Listed)
        {
            command.Add(days);
        }

        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => globals.LoadConfig(parse),
            async (store, config, token) =>
            {
                var analyst = new BlocklistAnalyst(store, config.Blocklists, config.Estate, TimeProvider.System, Environment.UserName);
                var text = parse.GetValue(subject)!;
                BlocklistEntry entry;
                try
                {
                    entry = action switch
                    {
                        BlocklistActions.Listed => await analyst.ListAsync(text, parse.GetValue(days), parse.GetValue(reason), token).ConfigureAwait(false),
                        BlocklistActions.Removed => await analyst.RemoveAsync(text, parse.GetValue(reason), token).ConfigureAwait(false),
                        BlocklistActions.Allowed => await analyst.AllowAsync(text, parse.GetValue(reason), token).ConfigureAwait(false),
                        _ => await analyst.UnallowAsync(text, token).ConfigureAwait(false),
                    };
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

                Console.WriteLine(entry.Action == BlocklistActions.Listed
                    ? string.Create(CultureInfo.InvariantCulture, $"{entry.Subject} listed by {entry.ChangedBy} until {entry.ExpiresAt:yyyy-MM-dd HH:mm} UTC.")
                    : $"{entry.Subject}: {entry.Action} by {entry.ChangedBy}.");
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command Diff(GlobalOptions globals)
    {
        var since = new Option<string>("--since") { Description = "Changes on or after this day", HelpName = "DATE", Required = true };
        var command = new Command("diff", "What changed since a day: listed, renewed, held for review, expired, removed, allowed") { since };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => Days.Parse(parse.GetValue(since), "--since")!.Value,
            async (store, day, token) =>
            {
                var rows = await store.QueryListAsync(
                    "SELECT changed_at, action, subject, changed_by, reason FROM blocklist_changes WHERE changed_at >= {since:Date} ORDER BY changed_at, subject",
                    new Dictionary<string, string> { ["since"] = Days.Text(day) }, token).ConfigureAwait(false);
                Console.WriteLine(rows.Count == 0 ? $"No changes since {Days.Text(day)}." : $"{rows.Count} change(s) since {Days.Text(day)}:");
                foreach (var r in rows)
                {
                    Console.WriteLine($"  {r[0][..19]}  {r[1],-9} {r[2],-26} by {r[3]}: {Shorten(r[4])}");
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    private static Command Export(GlobalOptions globals)
    {
        var format = new Option<string>("--format") { Description = $"One of {string.Join(", ", BlocklistFormats.Names)}", HelpName = "FORMAT", Required = true };
        var output = new Option<string>("--out") { Description = "The file to write (replaced atomically)", HelpName = "PATH", Required = true };
        var command = new Command("export", "Write the published list in a relay's format, atomically (a failed export leaves the previous file)") { format, output };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ =>
            {
                try
                {
                    return (Config: globals.LoadConfig(parse), Format: BlocklistFormats.Find(parse.GetValue(format)!), Path: parse.GetValue(output)!);
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }
            },
            async (store, arguments, token) =>
            {
                var now = DateTime.UtcNow;
                var published = await BlocklistExport.PublishedAsync(store, arguments.Config.Blocklists, arguments.Config.Estate, now, token).ConfigureAwait(false);
                await BlocklistExport.WriteAsync(arguments.Format, published, arguments.Path, now, token).ConfigureAwait(false);
                var count = published.Count;
                Console.WriteLine($"Wrote {count} entr{(count == 1 ? "y" : "ies")} to {Path.GetFullPath(arguments.Path)} ({arguments.Format.Name}: {arguments.Format.Use}).");
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    /// <summary>A reason for one terminal line: findings quote what clients sent, so control characters become '?'.</summary>
    private static string Shorten(string text)
    {
        var line = new string([.. text.Select(c => char.IsControl(c) ? '?' : c)]);
        return line.Length <= 110 ? line : line[..107] + "…";
    }
}
