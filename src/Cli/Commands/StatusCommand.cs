using System.CommandLine;
using RelayWatch.Cli.Output;

namespace RelayWatch.Cli.Commands;

/// <summary><c>relaywatch status</c>: engine, version, where the data lives, and rows per table.</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON, for scripts and monitoring" };
        var command = new Command("status", "Show the engine, its version, where the data lives and what each table holds") { json };
        command.SetAction((parse, cancellationToken) => CommandRunner.WithStoreAsync(
            () => globals.ResolveStore(parse),
            async (store, token) =>
            {
                var status = await StoreStatus.ReadAsync(store, token).ConfigureAwait(false);
                await Console.Out.WriteAsync(parse.GetValue(json) ? status.ToJson() + Environment.NewLine : status.ToText()).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
