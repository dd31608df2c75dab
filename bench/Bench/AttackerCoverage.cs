using System.Globalization;
using System.Net;
using System.Text.Json;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Bench;

/// <summary>
/// Whether every line that names an attacking client gives that client a row, on test logs other people wrote:
/// fail2ban's filter test logs (bench/README.md says how to fetch them), where a <c># failJSON: {… "host": "IP" …}</c>
/// comment says which address fail2ban blames for the line after it. Each file goes through what ingest does with
/// it — the format detected from its first lines, each line parsed in order by that format's parser, events that
/// waited for a later line taken as ingest takes them — and an attacker counts as covered when an event of its line
/// carries its address. Also counted: events of such a line that blame another address (a forged HELO taken for the
/// client would show there), and lines left out on purpose (<see cref="LeftOutOnPurpose"/>).
/// </summary>
internal static class AttackerCoverage
{
    private const string Marker = "# failJSON:";

    /// <summary>
    /// Line kinds that give no row on purpose, with why: the line's client is recorded by another line that a real
    /// log always has beside it (fail2ban's test files hold single lines, without it), so a row here would count
    /// the client twice.
    /// </summary>
    private static readonly Dictionary<string, string> LeftOutOnPurpose = new(StringComparer.Ordinal)
    {
        ["exim.sender_verify_note"] = "Exim's verification note; the refusal it causes is logged next with the client (rejected RCPT <…>: Sender verify failed) and is the row",
        ["exim.sa_accepted"] = "sa-exim's verdict on a message it let through; the message's arrival line (<= … H=… [ip]) is logged next and is the row",
    };

    public static int Run(string[] args)
    {
        if (args.Length != 1 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: attacker-coverage DIR (a folder of fail2ban test logs; bench/README.md)");
            return 2;
        }

        var (named, covered, excused, wrongBlame) = (0, 0, 0, 0);
        foreach (var path in Directory.GetFiles(args[0]).Order(StringComparer.Ordinal))
        {
            var file = Measure(path);
            named += file.Named;
            covered += file.Covered;
            excused += file.Excused.Count;
            wrongBlame += file.WrongBlame.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(path),-26} {file.Format,-9} attackers {file.Named,4}  with a row {file.Covered,4}  missed {file.Misses.Count,3}  left out on purpose {file.Excused.Count,2}  blamed another {file.WrongBlame.Count,2}"));
            foreach (var (line, why, text) in file.Misses)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    miss {line,4} [{why}] {text}"));
            }

            foreach (var (line, why, text) in file.Excused)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    skip {line,4} [{why}] {text}"));
            }

            foreach (var (line, why, text) in file.WrongBlame)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    BLAMED {line,4} [{why}] {text}"));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total: {covered} of {named} attacking clients got a row ({(named == 0 ? 0 : 100.0 * covered / named):F1} %); {named - covered - excused} missed, {excused} left out on purpose, {wrongBlame} lines blamed another address"));
        return 0;
    }

    private static FileCoverage Measure(string path)
    {
        var lines = File.ReadAllLines(path);
        var attackers = Attackers(lines);
        var result = new FileCoverage { Named = attackers.Count };

        // As ingest: the format from the first lines, the year and zone from the file's last write, Domino's date order from the first lines.
        var firstLines = lines.Take(LogFormats.DetectionLines).ToList();
        if (LogFormats.Detect(firstLines) is not { } format)
        {
            result.Format = "unknown";
            result.Misses.AddRange(attackers.Select(a => (a.Line, "format not recognised", Clip(lines[a.Line - 1]))));
            return result;
        }

        result.Format = LogFormats.NameOf(format);
        var written = File.GetLastWriteTimeUtc(path);
        var context = new TimestampContext(written.Year, written.Month, TimeZoneInfo.Utc);
        if (format == LogFormat.Domino)
        {
            context = context with { DateOrder = DominoParser.DetectDateOrder(firstLines, out _) };
        }

        var parser = LogFormats.CreateParser(format);
        var origin = new LineOrigin(path, null, context);
        var clients = new Dictionary<ulong, List<string>>();
        var outcomes = new Dictionary<long, LineResult>();
        void Keep(ulong line, SmtpEvent e)
        {
            if (!clients.TryGetValue(line, out var list))
            {
                clients[line] = list = [];
            }

            list.Add(e.ClientIp);
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var parsed = parser.Parse(lines[i], origin, i + 1);
            outcomes[i + 1] = parsed;
            if (parsed.Event is { } e)
            {
                Keep(e.Line, e);
            }

            // An event released by this line (Sendmail's refusal, logged before the line naming its client) is
            // the row of its own line and of this one, whose client it names.
            foreach (var released in parser.TakeReleased())
            {
                Keep(released.Line, released);
                Keep((ulong)(i + 1), released);
            }
        }

        foreach (var waiting in parser.TakeWaiting(path))
        {
            Keep(waiting.Line, waiting);
        }

        foreach (var (line, host) in attackers)
        {
            var blamed = clients.GetValueOrDefault((ulong)line) ?? [];
            var outcome = outcomes[line];
            var text = Clip(lines[line - 1]);
            if (blamed.Any(ip => Same(ip, host)))
            {
                result.Covered++;
            }
            else if (LeftOutOnPurpose.TryGetValue(outcome.Kind, out var why))
            {
                result.Excused.Add((line, why, text));
            }
            else
            {
                result.Misses.Add((line, $"{outcome.Outcome} {outcome.Kind}", text));
            }

            foreach (var other in blamed.Where(ip => ip.Length > 0 && !Same(ip, host)).Distinct(StringComparer.Ordinal))
            {
                result.WrongBlame.Add((line, $"{outcome.Kind}: {other} instead of {host}", text));
            }
        }

        return result;
    }

    /// <summary>The lines fail2ban says match, and whom it blames for each: the line after each <c>failJSON</c> comment that names a host.</summary>
    private static List<(int Line, IPAddress Host)> Attackers(string[] lines)
    {
        var found = new List<(int, IPAddress)>();
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (!lines[i].StartsWith(Marker, StringComparison.Ordinal))
            {
                continue;
            }

            JsonDocument json;
            try
            {
                json = JsonDocument.Parse(lines[i][Marker.Length..]);
            }
            catch (JsonException)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"line {i + 1}: failJSON that is not JSON, not counted"));
                continue;
            }

            using var document = json;
            var root = document.RootElement;
            if (root.TryGetProperty("match", out var match) && match.ValueKind == JsonValueKind.True
                && root.TryGetProperty("host", out var host) && IPAddress.TryParse(host.GetString(), out var address))
            {
                found.Add((i + 2, Unmapped(address)));
            }
        }

        return found;
    }

    private static bool Same(string clientIp, IPAddress host) =>
        IPAddress.TryParse(clientIp, out var address) && Unmapped(address).Equals(host);

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Clip(string line) => line.Length <= 160 ? line : line[..157] + "...";

    private sealed class FileCoverage
    {
        public string Format { get; set; } = string.Empty;

        public int Named { get; init; }

        public int Covered { get; set; }

        public List<(int Line, string Why, string Text)> Misses { get; } = [];

        public List<(int Line, string Why, string Text)> Excused { get; } = [];

        public List<(int Line, string Why, string Text)> WrongBlame { get; } = [];
    }
}
