using System.CommandLine;
using RelayWatch.Cli.Output;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch status</c>: engine, version, where the data lives, and rows per table.</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON, for scripts and monitoring" };
        var command = new Command("status", "Show the engine, its version, where the data lives, what each table holds and what is ours (configured or inferred)") { json };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            _ => globals.LoadConfig(parse),
            async (store, config, token) =>
            {
                var status = await StoreStatus.ReadAsync(store, token, config.Estate).ConfigureAwait(false);
                await Console.Out.WriteAsync(parse.GetValue(json) ? status.ToJson() + Environment.NewLine : status.ToText()).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
