namespace RelayWatch.Cli.Tests.Support;

internal sealed record CliResult(int ExitCode, string Output, string Error);
