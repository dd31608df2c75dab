using Microsoft.Extensions.Logging;

namespace RelayWatch.Cli.Serve;

/// <summary>serve's own log messages (event ids 9100–9199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9100, Level = LogLevel.Error, Message = "The syslog listener stopped: {Reason}. serve goes on without it; /healthz reports it failed.")]
    public static partial void LiveIngestFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Debug, Message = "The syslog listener's progress could not be read: {Reason}")]
    public static partial void LiveIngestSampleFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "The command line's user and token changes could not be copied into the audit trail now ({Reason}); the next start or change of the users file tries again")]
    public static partial void UsersAuditFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Error, Message = "Following {File} stopped: {Reason}. serve goes on without it; /healthz reports it failed.")]
    public static partial void LiveFollowFailed(ILogger logger, string file, string reason);
}
