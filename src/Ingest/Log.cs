using Microsoft.Extensions.Logging;

namespace RelayWatch.Ingest;

/// <summary>Every log message of the Ingest project, with stable event ids (2000–2999).</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Warning, "Retrying a batch of {File} in {Seconds} s: {Reason}")]
    public static partial void RetryingBatch(ILogger logger, string file, double seconds, string reason);

    [LoggerMessage(2002, LogLevel.Warning, "{File} is shorter than its checkpoint ({Offset} bytes): it was truncated, so it is read again from the start")]
    public static partial void FileTruncated(ILogger logger, string file, long offset);

    [LoggerMessage(2003, LogLevel.Warning, "{File} was cut short ({Reason}); the lines before the damage were read")]
    public static partial void FileCutShort(ILogger logger, string file, string reason);

    [LoggerMessage(2005, LogLevel.Warning, "The dates in {File} can be read day-first or month-first and its first lines do not say which; they are read as {Order} (set --date-order if that is wrong)")]
    public static partial void DateOrderAssumed(ILogger logger, string file, Formats.DateOrder order);

    [LoggerMessage(2004, LogLevel.Debug, "Resuming {File} at byte {Offset}, line {Line}")]
    public static partial void Resuming(ILogger logger, string file, long offset, long line);

    [LoggerMessage(2006, LogLevel.Warning, "The syslog listener could not accept a connection ({Reason}); it tries again in {Milliseconds} ms")]
    public static partial void ListenerAcceptFailed(ILogger logger, string reason, double milliseconds);

    [LoggerMessage(2007, LogLevel.Warning, "The syslog listener could not receive over {Transport} ({Reason}); it goes on")]
    public static partial void ListenerReceiveFailed(ILogger logger, string transport, string reason);

    [LoggerMessage(2008, LogLevel.Warning, "The syslog listener dropped {Count} more ({Total} in all): {Reason}")]
    public static partial void ListenerDropped(ILogger logger, string reason, long count, long total);

    [LoggerMessage(2009, LogLevel.Warning, "{File} is being read by another relaywatch process; waiting until it has committed what it read")]
    public static partial void WaitingForOtherReader(ILogger logger, string file);

    [LoggerMessage(2010, LogLevel.Warning, "{File} is read without a claim, so a second reader at the same time would store its lines twice: {Reason}")]
    public static partial void ReadingUnclaimed(ILogger logger, string file, string reason);
}
