namespace RelayWatch.Cli;

/// <summary>The process exit codes every command uses.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The work failed: bad SQL, the store unreachable, a file unreadable.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage: an unknown option, a missing argument, an invalid setting.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;
}
