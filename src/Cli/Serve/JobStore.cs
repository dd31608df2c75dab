using System.Data.Common;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Npgsql;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// Where Hangfire keeps the schedule, the queue and the history: a SQLite file, for one <c>serve</c>,
/// or a PostgreSQL database that several <c>serve</c> processes share as one queue (each job runs on
/// one of them, a recurring job fires once per tick across them, and the job of a worker that died is
/// taken up by another once its invisibility timeout has passed).
/// </summary>
internal abstract record JobStore
{
    /// <summary>How long a fetched job stays invisible to other workers after its worker stops renewing it (it renews while alive).</summary>
    public static readonly TimeSpan DefaultInvisibilityTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A job database file of one <c>serve</c>.</summary>
    public sealed record SqliteFile(string Path) : JobStore
    {
        public override string Description => Path;
    }

    /// <summary>A PostgreSQL database shared by every <c>serve</c> pointed at it.</summary>
    public sealed record PostgreSql(string ConnectionString, TimeSpan InvisibilityTimeout) : JobStore
    {
        /// <summary>The connection string without its password, for messages.</summary>
        public override string Description
        {
            get
            {
                var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null };
                return $"PostgreSQL ({builder.ConnectionString})";
            }
        }
    }

    public abstract string Description { get; }

    /// <summary>
    /// Reads <c>serve.jobStorage</c> or <c>--jobs</c>: a PostgreSQL connection string in Npgsql's
    /// keyword form (it names a <c>Host</c>), else the path of a SQLite file.
    /// </summary>
    /// <exception cref="UsageException">A connection string Npgsql cannot read.</exception>
    public static JobStore Parse(string text, TimeSpan? invisibilityTimeout = null)
    {
        if (!LooksLikeConnectionString(text))
        {
            return new SqliteFile(System.IO.Path.GetFullPath(text));
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"The job storage is not a PostgreSQL connection string Npgsql can read ({e.Message.TrimEnd('.')}).");
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            throw new UsageException("The PostgreSQL job storage must name its database (Database=…).");
        }

        return new PostgreSql(text, invisibilityTimeout ?? DefaultInvisibilityTimeout);
    }

    /// <summary>Tells Hangfire to use this store, keeping finished jobs for <paramref name="history"/>.</summary>
    public void Configure(IGlobalConfiguration configuration, TimeSpan history)
    {
        switch (this)
        {
            case SqliteFile file:
                // A queued job starts within a second rather than Hangfire's default 15.
                configuration.UseSQLiteStorage(file.Path, new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromSeconds(1) })
                    .WithJobExpirationTimeout(history);
                break;
            case PostgreSql database:
                configuration.UsePostgreSqlStorage(
                    options => options.UseNpgsqlConnection(database.ConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        QueuePollInterval = TimeSpan.FromSeconds(1),
                        // A live worker keeps pushing its job's timeout on, so the timeout can be short and a
                        // dead worker's job is taken up by another within minutes rather than Hangfire's 30.
                        UseSlidingInvisibilityTimeout = true,
                        InvisibilityTimeout = database.InvisibilityTimeout,
                        PrepareSchemaIfNecessary = true,
                    })
                    .WithJobExpirationTimeout(history);
                break;
            default:
                throw new InvalidOperationException($"Unknown job store {GetType().Name}.");
        }
    }

    /// <summary>Whether the text is a keyword=value list naming a host, not a path.</summary>
    private static bool LooksLikeConnectionString(string text)
    {
        if (!text.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var keywords = new DbConnectionStringBuilder { ConnectionString = text };
            return keywords.ContainsKey("Host") || keywords.ContainsKey("Server");
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
