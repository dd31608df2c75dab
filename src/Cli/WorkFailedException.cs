namespace RelayWatch.Cli;

/// <summary>The command was used correctly but its work cannot be done (no model yet, say); exit code 1.</summary>
internal sealed class WorkFailedException(string message) : Exception(message);
