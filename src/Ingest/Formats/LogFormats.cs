using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Formats.Exchange;
using RelayWatch.Ingest.Formats.Exim;
using RelayWatch.Ingest.Formats.Ironport;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Formats.Sendmail;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Formats;

/// <summary>Names, detection and parsers of the supported formats.</summary>
public static class LogFormats
{
    /// <summary>How many leading lines detection looks at.</summary>
    public const int DetectionLines = 200;

    public static string NameOf(LogFormat format) => format switch
    {
        LogFormat.Postfix => "postfix",
        LogFormat.Exim => "exim",
        LogFormat.Domino => "domino",
        LogFormat.Ironport => "ironport",
        LogFormat.Exchange => "exchange",
        LogFormat.Sendmail => "sendmail",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>The format named on the command line, or null when the name is not one.</summary>
    public static LogFormat? Parse(string name) => name.ToLowerInvariant() switch
    {
        "postfix" => LogFormat.Postfix,
        "exim" => LogFormat.Exim,
        "domino" => LogFormat.Domino,
        "ironport" or "esa" => LogFormat.Ironport,
        "exchange" => LogFormat.Exchange,
        "sendmail" => LogFormat.Sendmail,
        _ => null,
    };

    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<LogFormat>().Select(NameOf)];

    /// <param name="horizon">How long correlation state may sit idle before it is dropped; null keeps each format's default (docs/operations.md).</param>
    internal static ILogParser CreateParser(LogFormat format, TimeSpan? horizon = null) => (format, horizon) switch
    {
        (LogFormat.Postfix, { } h) => new PostfixParser { Horizon = h },
        (LogFormat.Postfix, _) => new PostfixParser(),
        (LogFormat.Exim, { } h) => new EximParser { Horizon = h },
        (LogFormat.Exim, _) => new EximParser(),
        (LogFormat.Domino, { } h) => new DominoParser { Horizon = h },
        (LogFormat.Domino, _) => new DominoParser(),
        (LogFormat.Ironport, { } h) => new IronportParser { Horizon = h },
        (LogFormat.Ironport, _) => new IronportParser(),
        (LogFormat.Exchange, { } h) => new ExchangeParser { Horizon = h },
        (LogFormat.Exchange, _) => new ExchangeParser(),
        (LogFormat.Sendmail, { } h) => new SendmailParser { Horizon = h },
        (LogFormat.Sendmail, _) => new SendmailParser(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>
    /// The format of a file, judged by its first lines: the one whose lines they most often are.
    /// Null when none of them is recognisably any supported format.
    /// </summary>
    internal static LogFormat? Detect(IEnumerable<string> firstLines)
    {
        var context = TimestampContext.Utc(DateTime.UnixEpoch.Year + 50);
        var (postfix, exim, domino, ironport, exchange, sendmail) = (0, 0, 0, 0, 0, 0);
        foreach (var line in firstLines.Take(DetectionLines))
        {
            if (ExchangeParser.LooksLikeTransportLog(line))
            {
                // A header line says it all: one is enough against any number of records.
                exchange += DetectionLines;
            }
            else if (ExchangeParser.LooksLikeProtocolRecord(line))
            {
                exchange++;
            }
            else if (IronportParser.LooksLikeMailLog(line))
            {
                // Before syslog: "Mar 17 18:24:37 mail_logs: Info: …" would read as a syslog line from host "mail_logs:".
                ironport++;
            }
            else if (SyslogHeaderReader.TryRead(line, context, out var header))
            {
                var program = line.AsSpan(header.Program);
                postfix += program.StartsWith("postfix", StringComparison.Ordinal) ? 1 : 0;
                exim += program.SequenceEqual("exim") || program.SequenceEqual("exim4") ? 1 : 0;
                sendmail += program.StartsWith("sm-", StringComparison.Ordinal) || program.SequenceEqual("sendmail") ? 1 : 0;
            }
            else if (EximParser.LooksNative(line))
            {
                exim++;
            }
            else if (DominoParser.LooksLikeConsole(line))
            {
                domino++;
            }
        }

        var best = Math.Max(Math.Max(Math.Max(postfix, exim), Math.Max(domino, ironport)), Math.Max(exchange, sendmail));
        return best == 0 ? null
            : best == postfix ? LogFormat.Postfix
            : best == sendmail ? LogFormat.Sendmail
            : best == exim ? LogFormat.Exim
            : best == domino ? LogFormat.Domino
            : best == ironport ? LogFormat.Ironport
            : LogFormat.Exchange;
    }
}
