using Microsoft.Extensions.Logging;

namespace RelayWatch.Analysis;

/// <summary>Analysis's log messages (event ids 3000–3999).</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Debug, "{Detector} on {Day}: {Findings} findings in {Milliseconds} ms")]
    public static partial void DetectorRan(ILogger logger, string detector, DateOnly day, long findings, long milliseconds);

    [LoggerMessage(3002, LogLevel.Information, "Trained reputation model {Version} on {First} to {Last}")]
    public static partial void ModelTrained(ILogger logger, string version, DateOnly first, DateOnly last);

    [LoggerMessage(3003, LogLevel.Warning, "{Message}")]
    public static partial void NetworkContextKept(ILogger logger, string message);
}
