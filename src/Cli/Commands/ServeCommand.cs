using System.CommandLine;
using RelayWatch.Analysis.Context;
using RelayWatch.Analysis.Jobs;
using RelayWatch.Cli.Serve;
using RelayWatch.Reports.Jobs;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch serve</c>: the scheduler (Hangfire) and its dashboard, until stopped.</summary>
internal static class ServeCommand
{
    internal const string DefaultUrls = "http://127.0.0.1:5080";

    public static Command Create(GlobalOptions globals)
    {
        var urls = new Option<string?>("--urls") { Description = $"Where to listen [default: {DefaultUrls}]; beyond loopback serve needs users (serve user add) and HTTPS or a trusted proxy", HelpName = "URLS" };
        var jobs = new Option<string?>("--jobs")
        {
            Description = "The job database: a SQLite file, or a PostgreSQL connection string (Host=…;Database=…;Username=…) that several serve processes share as one queue [default: hangfire.sqlite in the data directory]",
            HelpName = "FILE|CONNECTION",
        };
        var withListener = new Option<bool>("--listen")
        {
            Description = $"Also receive syslog from the relays and ingest it, as relaywatch listen does, with its options below and its listen.* settings [default endpoints: udp and tcp {ListenArguments.DefaultEndpoint}]",
        };
        var follow = new Option<string[]>("--follow")
        {
            Description = "Also follow this log file, as ingest --follow does (repeatable; files the relays write are the exactly-once way in) [config: serve.follow]",
            HelpName = "FILE",
        };
        var listening = new ListenArguments();
        var command = new Command("serve", "Run the schedule (detection, scoring, blocklist, daily report) with its Hangfire dashboard, JSON API, blocklists and reports until stopped, and with --listen the syslog listener")
        {
            urls,
            jobs,
            withListener,
            follow,
            UserCommands(globals),
            TokenCommands(globals),
        };
        listening.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            storeOptions =>
            {
                var config = globals.LoadConfig(parse);
                var live = parse.GetValue(withListener) ? listening.Resolve(parse, config, storeOptions)
                    : listening.FirstGiven(parse) is { } given ? throw new UsageException($"{given} sets up serve's syslog listener: add --listen.")
                    : null;
                var jobStore = JobStore.Parse(
                    parse.GetValue(jobs) ?? config.Serve.JobStorage
                        ?? Path.Combine(storeOptions.ConnectionString is null ? storeOptions.DataDirectory : StoreDefaults(), "hangfire.sqlite"),
                    config.Serve.JobInvisibilitySeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
                // Reports go beside a SQLite job file, or into the data directory.
                var home = jobStore is JobStore.SqliteFile file
                    ? Path.GetDirectoryName(file.Path)!
                    : storeOptions.ConnectionString is null ? storeOptions.DataDirectory : StoreDefaults();
                var workers = config.Serve.Workers ?? 2;
                if (workers < 1)
                {
                    throw new UsageException("serve.workers must be at least 1.");
                }

                try
                {
                    config.Reports.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

                Directory.CreateDirectory(home);
                var listen = parse.GetValue(urls) ?? config.Serve.Urls ?? DefaultUrls;
                var security = ServeSecurity.Resolve(listen, config.Serve, Path.GetFullPath(config.Serve.UsersFile ?? Path.Combine(home, UsersFile.DefaultName)), Environment.GetEnvironmentVariable(ServeSecurity.RetiredCredentialsVariable));
                return new ServeOptions(
                    listen,
                    jobStore,
                    home,
                    workers,
                    new DetectionSettings(config.Estate, config.Detectors, new NetworkContextFiles(config.Context.AsnDatabase, config.Context.CountryDatabase, config.Context.Csv)),
                    new ScoringJobSettings(config.Estate, config.Scoring),
                    new BlocklistJobSettings(config.Estate, config.Blocklists),
                    new ReportJobSettings(config.Estate, config.Reports, Path.GetFullPath(config.Reports.Folder ?? Path.Combine(home, "reports"))),
                    security,
                    live,
                    FollowSetupOf(parse.GetValue(follow) is { Length: > 0 } followed ? followed : config.Serve.Follow, config, storeOptions));
            },
            async (store, options, token) =>
            {
                try
                {
                    await ServeHost.RunAsync(store, options, token).ConfigureAwait(false);
                }
                catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UsageException($"Cannot listen on {options.Urls}: {e.Message.TrimEnd('.')}.");
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    /// <summary>The files serve follows, read with the configuration's ingest settings as <c>ingest --follow</c> reads them; null for none.</summary>
    private static FollowSetup? FollowSetupOf(IReadOnlyList<string>? paths, Configuration.ConfigFile config, Store.StoreOptions storeOptions)
    {
        if (paths is not { Count: > 0 })
        {
            return null;
        }

        foreach (var path in paths)
        {
            if (path == "-" || Directory.Exists(path) || path.AsSpan().IndexOfAny('*', '?') >= 0)
            {
                throw new UsageException($"--follow names one log file at a time, and {path} is not one; give --follow once per file.");
            }
        }

        var section = config.Ingest;
        return new FollowSetup([.. paths.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal)], new Ingest.IngestOptions
        {
            RetentionDays = storeOptions.EventRetentionDays,
            DateOrder = IngestCommand.ParseDateOrder(section.DateOrder),
            CorrelationHorizon = IngestCommand.Horizon(null, section),
            TimeZone = IngestCommand.ParseZone(section.TimeZone),
            BatchLines = IngestCommand.BatchLines(null, section),
            InsertsInFlight = IngestCommand.InsertsInFlight(null, section),
        });
    }

    /// <summary>The users file: serve.usersFile, else serve-users.json beside a SQLite job database (or in the data directory).</summary>
    private static string UsersFilePath(Configuration.ConfigFile config, Store.StoreOptions storeOptions)
    {
        if (config.Serve.UsersFile is { } named)
        {
            return Path.GetFullPath(named);
        }

        var data = storeOptions.ConnectionString is null ? storeOptions.DataDirectory : StoreDefaults();
        var home = JobStore.Parse(config.Serve.JobStorage ?? Path.Combine(data, "hangfire.sqlite"), null) is JobStore.SqliteFile file ? Path.GetDirectoryName(file.Path)! : data;
        return Path.GetFullPath(Path.Combine(home, UsersFile.DefaultName));
    }

    private static string UsersFilePath(GlobalOptions globals, ParseResult parse) => UsersFilePath(globals.LoadConfig(parse), globals.ResolveStore(parse));

    /// <summary><c>serve user add|list|remove</c>: the console's people. The file is read and written directly, so this works while serve runs.</summary>
    private static Command UserCommands(GlobalOptions globals)
    {
        var name = new Argument<string>("NAME") { Description = "The user's login name" };
        var role = new Option<string>("--role") { Description = "viewer (reads), analyst (also labels, dismisses, approves) or admin (also users and jobs)", Required = true, HelpName = "ROLE" };
        var add = new Command("add", "Add a user, or set an existing user's password and role; the password is read from standard input (or asked for on a terminal)") { name, role };
        add.SetAction(parse => Run(() =>
        {
            var path = UsersFilePath(globals, parse);
            var password = ReadPassword(parse.GetValue(name)!);
            var now = TimeProvider.System.GetUtcNow().UtcDateTime;
            var before = UsersFile.Load(path);
            var existed = before.Users.Any(u => u.Name.Equals(parse.GetValue(name), StringComparison.Ordinal));
            var file = before.WithUser(parse.GetValue(name)!, parse.GetValue(role)!, password, now)
                .Recording(existed ? "user_changed" : "user_added", parse.GetValue(name)!, $"role {parse.GetValue(role)}", now);
            file.Save(path);
            Console.WriteLine($"{parse.GetValue(name)} is a console {parse.GetValue(role)} (users in {path}).");
        }));

        var list = new Command("list", "List the console's users and their roles");
        list.SetAction(parse => Run(() =>
        {
            var file = UsersFile.Load(UsersFilePath(globals, parse));
            Console.WriteLine(file.Users.Count == 0 ? "No users: serve answers on loopback only, without a login." : "name                             role     added");
            foreach (var user in file.Users.OrderBy(u => u.Name, StringComparer.Ordinal))
            {
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{user.Name,-32} {user.Role,-8} {user.Created:yyyy-MM-dd HH:mm}"));
            }
        }));

        var removeName = new Argument<string>("NAME") { Description = "The user to remove" };
        var remove = new Command("remove", "Remove a user; their session ends at their next request") { removeName };
        remove.SetAction(parse => Run(() =>
        {
            var path = UsersFilePath(globals, parse);
            var file = UsersFile.Load(path).WithoutUser(parse.GetValue(removeName)!)
                ?? throw new UsageException($"There is no user {parse.GetValue(removeName)}; serve user list lists them.");
            file.Recording("user_removed", parse.GetValue(removeName)!, string.Empty, TimeProvider.System.GetUtcNow().UtcDateTime).Save(path);
            Console.WriteLine($"Removed {parse.GetValue(removeName)}.");
        }));
        return new Command("user", "Manage the people who may log in to the console") { add, list, remove };
    }

    /// <summary><c>serve token add|list|remove</c>: the relays' read-only tokens for the blocklist feed.</summary>
    private static Command TokenCommands(GlobalOptions globals)
    {
        var relay = new Argument<string>("RELAY") { Description = "The relay that will poll /blocklists with the token" };
        var add = new Command("add", "Make a new token for a relay (replacing its old one) and print it once; relays send it as Authorization: Bearer TOKEN") { relay };
        add.SetAction(parse => Run(() =>
        {
            var path = UsersFilePath(globals, parse);
            var now = TimeProvider.System.GetUtcNow().UtcDateTime;
            var (file, token) = UsersFile.Load(path).WithRelayToken(parse.GetValue(relay)!, now);
            file.Recording("token_added", parse.GetValue(relay)!, string.Empty, now).Save(path);
            Console.WriteLine(token);
            Console.Error.WriteLine($"This is {parse.GetValue(relay)}'s token for GET /blocklists/FORMAT (Authorization: Bearer TOKEN); it is shown only now.");
        }));

        var list = new Command("list", "List the relays that have a token");
        list.SetAction(parse => Run(() =>
        {
            foreach (var token in UsersFile.Load(UsersFilePath(globals, parse)).RelayTokens.OrderBy(t => t.Relay, StringComparer.Ordinal))
            {
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{token.Relay,-32} {token.Created:yyyy-MM-dd HH:mm}"));
            }
        }));

        var removeRelay = new Argument<string>("RELAY") { Description = "The relay whose token to revoke" };
        var remove = new Command("remove", "Revoke a relay's token") { removeRelay };
        remove.SetAction(parse => Run(() =>
        {
            var path = UsersFilePath(globals, parse);
            var file = UsersFile.Load(path).WithoutRelayToken(parse.GetValue(removeRelay)!)
                ?? throw new UsageException($"{parse.GetValue(removeRelay)} has no token; serve token list lists them.");
            file.Recording("token_removed", parse.GetValue(removeRelay)!, string.Empty, TimeProvider.System.GetUtcNow().UtcDateTime).Save(path);
            Console.WriteLine($"Revoked {parse.GetValue(removeRelay)}'s token.");
        }));
        return new Command("token", "Manage the relays' read-only tokens for the blocklist feed") { add, list, remove };
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"relaywatch: {e.Message}");
            return ExitCodes.Usage;
        }
    }

    /// <summary>The password: asked for without echo on a terminal, else the first line of standard input.</summary>
    private static string ReadPassword(string user)
    {
        if (!Console.IsInputRedirected)
        {
            Console.Error.Write($"Password for {user}: ");
            var password = new System.Text.StringBuilder();
            while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
            {
                if (key.Key == ConsoleKey.Backspace)
                {
                    password.Length = Math.Max(0, password.Length - 1);
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    password.Append(key.KeyChar);
                }
            }

            Console.Error.WriteLine();
            return password.ToString();
        }

        return Console.In.ReadLine() ?? throw new UsageException("No password on standard input: give it as the first line.");
    }

    private static string StoreDefaults() => new Store.StoreOptions().DataDirectory;
}
