using System.CommandLine;
using System.Globalization;
using System.Text;
using RelayWatch.Store.Schema;

namespace RelayWatch.Cli.Commands;

/// <summary>
/// <c>relaywatch schema [--cluster NAME]</c>: the DDL every migration would run on a fresh database, single-node
/// or laid out for a cluster (docs/operations.md, "Cluster layout"): <c>--cluster</c>'s, else the configuration's
/// <c>store.cluster</c>, as the migrator would use it. Needs no store: it prints, it does not apply.
/// </summary>
internal static class SchemaCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Print the cluster form: ReplicatedMergeTree tables NAME_local and Distributed tables over them, every statement ON CLUSTER NAME (default: the configuration's store.cluster)",
            HelpName = "NAME",
        };
        var command = new Command("schema", "Print the DDL the schema migrations would run, one statement per block, single-node or (--cluster) for a ClickHouse cluster") { cluster };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async token =>
        {
            var named = parse.GetValue(cluster);
            var migrations = named is not null
                ? Plan(named, "--cluster")
                : Plan(globals.LoadConfig(parse).Store.Cluster, "store.cluster");
            await Console.Out.WriteAsync(Render(migrations).AsMemory(), token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static IReadOnlyList<MigrationDdl> Plan(string? cluster, string source)
    {
        if (cluster is null)
        {
            return SchemaDdl.SingleNode();
        }

        ClusterLayout layout;
        try
        {
            layout = new ClusterLayout(cluster);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"{source} {cluster} is not a plain name (letters, digits and _, not starting with a digit).");
        }

        try
        {
            return SchemaDdl.ForCluster(layout);
        }
        catch (ClusterLayoutException e)
        {
            throw new WorkFailedException(e.Message);
        }
    }

    private static string Render(IReadOnlyList<MigrationDdl> migrations)
    {
        var text = new StringBuilder();
        foreach (var migration in migrations)
        {
            text.Append(migration.Version == 0
                ? $"-- {migration.Name}: the migrator's record of applied migrations, created before the first\n"
                : string.Create(CultureInfo.InvariantCulture, $"-- migration {migration.Version:D4} {migration.Name}\n"));
            foreach (var statement in migration.Statements)
            {
                text.Append(statement).Append(";\n\n");
            }
        }

        return text.ToString();
    }
}
