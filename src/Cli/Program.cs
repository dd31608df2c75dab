using System.CommandLine;
using RelayWatch.Cli;
using RelayWatch.Cli.Commands;
using RelayWatch.Cli.Output;

// Log text is attacker-chosen: nothing printed may drive the terminal.
TerminalSafeWriter.Install();

var globals = new GlobalOptions();
var root = new RootCommand(
    "RelayWatch: SMTP log and traffic analytics for spam and abuse detection at the mail edge. " +
    "Data lives in ClickHouse: the embedded engine by default, or a server with --clickhouse.");
globals.AddTo(root);
root.Add(DemoCommand.Create(globals));
root.Add(StatusCommand.Create(globals));
root.Add(QueryCommand.Create(globals));
root.Add(IngestCommand.Create(globals));
root.Add(ListenCommand.Create(globals));
root.Add(DetectCommand.Create(globals));
root.Add(TrainCommand.Create(globals));
root.Add(ScoreCommand.Create(globals));
root.Add(LabelCommand.Create(globals));
root.Add(ReportCommand.Create(globals));
root.Add(BlocklistCommand.Create(globals));
root.Add(EvaluateCommand.Create(globals));
root.Add(ContextCommand.Create(globals));
root.Add(DmarcCommand.Create(globals));
root.Add(SchemaCommand.Create(globals));
root.Add(ServeCommand.Create(globals));
root.Add(SimulateCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // Bad usage is exit code 2, with the parser's own sentences and a pointer to the help.
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"relaywatch: {error.Message}");
    }

    Console.Error.WriteLine("Run 'relaywatch --help' for usage.");
    return ExitCodes.Usage;
}

// Ctrl+C and SIGTERM cancel the running command, which then commits what it has (up to 30 s).
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) }, CancellationToken.None);
