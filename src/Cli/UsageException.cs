namespace RelayWatch.Cli;

/// <summary>The command line or configuration asks for something impossible; exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
