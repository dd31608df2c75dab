using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.VisualBasic.FileIO;
using RelayWatch.Analysis;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Hostile.Tests.Support;
using RelayWatch.Tests.Shared;
using Xunit.Abstractions;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// A fixed-seed property test over every export format: generated attacker text in every reason,
/// source, severity and subject, and the tool that consumes each format must read exactly the
/// published entries — no more, no reason text, no warning. Postfix's postmap reads the CIDR and hash
/// maps (and the Sendmail access file, whose key-value lines it reads the same way: Sendmail's own
/// makemap is not installed here), rbldnsd loads its zone and counts what it loaded, nft loads the
/// sets in a network namespace of its own and lists them, PowerShell's parser reads the Exchange
/// script, Microsoft.VisualBasic's TextFieldParser reads the CSV, System.Text.Json the JSON.
/// </summary>
/// <remarks>
/// A few rounds run in CI; <c>bench/export-fuzz.sh</c> runs many (RELAYWATCH_EXPORT_FUZZ_ROUNDS) and
/// docs/blocklists.md has its figures.
/// </remarks>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class HostileTextInEveryExportFormat(ITestOutputHelper output) : IDisposable
{
    private const int FixedSeed = 20_261_202;

    private const int EntriesPerRound = 24;

    private static readonly DateTime Now = new(2026, 11, 25, 1, 0, 0, DateTimeKind.Utc);

    private readonly string folder = Loopback.ReadableFolder("relaywatch-hostile-");

    static HostileTextInEveryExportFormat() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task EveryToolReadsExactlyThePublishedEntries()
    {
        // CI runs three rounds of the fixed seed; bench/export-fuzz.sh asks for more, and for other seeds.
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("RELAYWATCH_EXPORT_FUZZ_ROUNDS"), CultureInfo.InvariantCulture, out var asked) ? asked : 3;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RELAYWATCH_EXPORT_FUZZ_SEED"), CultureInfo.InvariantCulture, out var chosen) ? chosen : FixedSeed;
        var stopwatch = Stopwatch.StartNew();
        var tools = new Tools(
            await DebianPackages.RequireAsync("postmap", "postfix"),
            await DebianPackages.RequireAsync("rbldnsd", "rbldnsd"),
            await DebianPackages.RequireAsync("nft", "nftables"),
            await DebianPackages.RequireAsync("unshare", "util-linux"));
        var hostile = new HostileText(seed);
        var (published, hostileCharacters) = (0, 0L);
        for (var round = 0; round < rounds; round++)
        {
            var entries = Enumerable.Range(0, EntriesPerRound).Select(_ => Entry(hostile)).ToList();
            var list = BlocklistFormats.Published(entries, new BlocklistGuard(new BlocklistSettings { MinPrefixV4 = 0, MinPrefixV6 = 0 }, [], [], []), Now);
            published += list.Count;
            hostileCharacters += entries.Sum(e => (long)e.Reason.Length + e.Severity.Length + e.Sources.Sum(s => s.Length));
            foreach (var format in BlocklistFormats.All)
            {
                var path = Path.Combine(folder, $"{round}-{format.Name}");
                await BlocklistExport.WriteAsync(format, list, path, Now, CancellationToken.None);
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                try
                {
                    await CheckAsync(format.Name, path, list, tools);
                }
                catch (Exception e) when (e is Xunit.Sdk.XunitException)
                {
                    throw new Xunit.Sdk.XunitException($"Seed {seed}, round {round}, format {format.Name}: {e.Message}");
                }
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {rounds} rounds, {rounds * EntriesPerRound} entries ({published} published), {hostileCharacters:N0} hostile characters, {BlocklistFormats.All.Count} formats each, {stopwatch.Elapsed.TotalSeconds:F1} s"));

        // Not vacuous: the rounds published entries and carried hostile text.
        Assert.True(published >= rounds * EntriesPerRound / 3, $"only {published} entries were published in {rounds} rounds");
        Assert.True(hostileCharacters > rounds * 1000L);
    }

    private sealed record Tools(string Postmap, string Rbldnsd, string Nft, string Unshare);

    private static BlocklistEntry Entry(HostileText hostile)
    {
        var reason = hostile.Next();
        return new BlocklistEntry(
            hostile.NextSubject(), BlocklistActions.Listed, reason,
            [$"finding:{hostile.Next()}:2026-11-24", "finding:dha:2026-11-24", $"score:{hostile.Next()}", $"member:{hostile.Next()}", hostile.Next()],
            hostile.Next(), Now.AddDays(-1), Now.AddDays(7), hostile.Next(), Now.AddDays(-1));
    }

    private static async Task CheckAsync(string format, string path, IReadOnlyList<BlocklistEntry> published, Tools tools)
    {
        var bytes = await File.ReadAllBytesAsync(path);
        var subjects = published.Select(e => e.Subject).ToList();
        Assert.All(published, e => Assert.Matches(SubjectText(), e.Subject));
        Assert.All(published, e => Assert.True(Subjects.ParseNetwork(e.Subject)!.Value.PrefixLength >= (e.Subject.Contains(':', StringComparison.Ordinal) ? 32 : 16), $"{e.Subject} is wider than the hard floor"));
        if (format is not "json" and not "csv")
        {
            // Printable ASCII and newlines only (after the Exchange script's byte order mark).
            Assert.DoesNotContain(bytes.AsSpan(format == "exchange" ? 3 : 0).ToArray(), b => b is > (byte)'~' or (< (byte)' ' and not (byte)'\n'));
        }

        var text = Encoding.UTF8.GetString(bytes.AsSpan(format == "exchange" ? 3 : 0));
        var lines = text.Split('\n')[..^1].Where(l => !l.StartsWith('#')).ToList();
        switch (format)
        {
            case "postfix-cidr":
                Assert.Equal(subjects.Select(s => $"{s} REJECT Listed by RelayWatch"), lines);
                await PostmapAnswersAsync(tools.Postmap, $"cidr:{path}", published, "REJECT Listed by RelayWatch");
                break;
            case "postscreen-cidr":
                Assert.Equal(subjects.Select(s => $"{s} reject"), lines);
                await PostmapAnswersAsync(tools.Postmap, $"cidr:{path}", published, "reject");
                break;
            case "postfix-hash":
                Assert.All(lines, l => Assert.Matches(@"^[0-9a-f.:]+ REJECT Listed by RelayWatch$", l));
                await PostmapHoldsExactlyAsync(tools.Postmap, path, lines);
                break;
            case "sendmail-access":
                Assert.All(lines, l => Assert.Matches(@"^Connect:(IPv6:)?[0-9a-f.:]+ REJECT$", l));
                await PostmapHoldsExactlyAsync(tools.Postmap, path, lines);
                break;
            case "exim" or "plain":
                Assert.Equal(subjects, lines);
                break;
            case "domino":
                Assert.Equal(subjects.Select(s => $"[{s}]"), lines);
                break;
            case "esa":
                Assert.Equal(subjects.Select(s => Subjects.Canonical(s)), lines.Select(Subjects.Canonical));
                break;
            case "rbldnsd":
                await RbldnsdLoadsExactlyAsync(tools.Rbldnsd, path, published);
                break;
            case "nftables":
                await NftLoadsExactlyAsync(tools, path, subjects);
                break;
            case "exchange":
                Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
                ExchangeScriptShape.AssertHoldsOnly(published, text);
                ExchangeScriptShape.AssertHoldsOnly(published, Encoding.GetEncoding(1252).GetString(bytes, 3, bytes.Length - 3));
                break;
            case "csv":
                CsvReadsExactly(path, text, published);
                break;
            case "json":
                JsonReadsExactly(text, published);
                break;
            default:
                Assert.Fail($"The format {format} has no check here: add one.");
                break;
        }
    }

    /// <summary>postmap answers exactly <paramref name="answer"/> for an address inside every entry, and warns about nothing in the map.</summary>
    private static async Task PostmapAnswersAsync(string postmap, string map, IReadOnlyList<BlocklistEntry> published, string answer)
    {
        var probes = published.Select(e => Subjects.ParseNetwork(e.Subject)!.Value.BaseAddress.ToString()).ToList();
        var result = await RunAsync(postmap, string.Join('\n', probes) + "\n", "-q", "-", map);

        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(probes.Select(p => $"{p}\t{answer}"), result.Output.Split('\n')[..^1]);
    }

    /// <summary>postmap builds the hash map and, dumping it, holds exactly the file's lines: no more, no less (keys folded to lower case, as postmap and makemap fold them).</summary>
    private static async Task PostmapHoldsExactlyAsync(string postmap, string path, IReadOnlyList<string> lines)
    {
        var build = await DebianPackages.RunAsync(postmap, $"hash:{path}");
        Assert.Equal((0, string.Empty), (build.ExitCode, build.Error));
        var dump = await DebianPackages.RunAsync(postmap, "-s", $"hash:{path}");

        Assert.Equal(string.Empty, dump.Error);
        Assert.Equal(lines.Select(l => l.Split(' ', 2)).Select(kv => $"{kv[0].ToLowerInvariant()}\t{kv[1]}").Order(StringComparer.Ordinal), dump.Output.Split('\n')[..^1].Order(StringComparer.Ordinal));
    }

    /// <summary>rbldnsd loads the zone without a complaint and counts exactly the published networks (ip4set splits a prefix into /8, /16, /24, /32 ranges).</summary>
    private static async Task RbldnsdLoadsExactlyAsync(string rbldnsd, string path, IReadOnlyList<BlocklistEntry> published)
    {
        var networks = published.Select(e => Subjects.ParseNetwork(e.Subject)!.Value).ToList();
        var v4 = networks.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            .Sum(n => 1 << (new[] { 8, 16, 24, 32 }.First(c => c >= n.PrefixLength) - n.PrefixLength));
        var v6 = networks.Count(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);
        var start = new ProcessStartInfo(rbldnsd) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-n", "-b", $"127.0.0.1/{Loopback.FreeUdpPort()}", "-r", Path.GetDirectoryName(path)!, $"bl.test:combined:{Path.GetFileName(path)}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var server = Process.Start(start)!;
        var said = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            string? line;
            while ((line = await server.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.Contains(" started ", StringComparison.Ordinal))
            {
                said.Add(line);
            }
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }

        // rbldnsd: combined:FILE:ip4set: e32/24/16/8=a/b/c/d, then combined:FILE:ip6trie: ents=n; a bad line would add "file FILE(n): …".
        Assert.DoesNotContain(said, l => l.Contains("file ", StringComparison.Ordinal) || l.Contains("invalid", StringComparison.Ordinal));
        var ip4 = said.Select(l => Ip4SetCounts().Match(l)).Single(m => m.Success);
        Assert.Equal(v4, Enumerable.Range(1, 4).Sum(g => int.Parse(ip4.Groups[g].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(v6, int.Parse(said.Select(l => Ip6TrieCount().Match(l)).Single(m => m.Success).Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>nft loads the file into a network namespace of its own and lists exactly the published subjects in its two sets.</summary>
    private static async Task NftLoadsExactlyAsync(Tools tools, string path, IReadOnlyList<string> subjects)
    {
        var load = await DebianPackages.RunAsync(tools.Unshare, "-n", "sh", "-c", "\"$0\" -f \"$1\" && \"$0\" -j list ruleset", tools.Nft, path);
        Assert.True(load.ExitCode == 0, load.Error);
        using var listed = JsonDocument.Parse(load.Output);
        var sets = listed.RootElement.GetProperty("nftables").EnumerateArray().Where(e => e.TryGetProperty("set", out _)).Select(e => e.GetProperty("set")).ToList();
        Assert.Equal(["blocked4", "blocked6"], sets.Select(s => s.GetProperty("name").GetString()));
        var elements = sets.SelectMany(s => s.TryGetProperty("elem", out var elem) ? elem.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Select(e => e.ValueKind == JsonValueKind.String
                ? e.GetString()!
                : e.TryGetProperty("prefix", out var prefix)
                    ? $"{prefix.GetProperty("addr").GetString()}/{prefix.GetProperty("len").GetInt32()}"
                    : e.GetRawText())
            .Select(s => Subjects.Canonical(s) ?? s);

        Assert.Equal(subjects.Order(StringComparer.Ordinal), elements.Order(StringComparer.Ordinal));
    }

    /// <summary>A CSV reader finds the header and one five-field record per entry; a reason is one line, clean, and never a formula.</summary>
    private static void CsvReadsExactly(string path, string text, IReadOnlyList<BlocklistEntry> published)
    {
        Assert.Equal(published.Count + 1, text.Split("\r\n").Length - 1);
        Assert.DoesNotContain('\n', text.Replace("\r\n", string.Empty, StringComparison.Ordinal));
        using var parser = new TextFieldParser(path, Encoding.UTF8) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var records = new List<string[]>();
        while (!parser.EndOfData)
        {
            records.Add(parser.ReadFields()!);
        }

        Assert.Equal(published.Count + 1, records.Count);
        Assert.Equal(["subject", "severity", "listed_at", "expires_at", "reason"], records[0]);
        Assert.All(records.Skip(1), r => Assert.Equal(5, r.Length));
        Assert.Equal(published.Select(e => e.Subject), records.Skip(1).Select(r => r[0]));
        foreach (var field in records.Skip(1).SelectMany(r => new[] { r[1], r[4] }))
        {
            Assert.True(field.Length <= 201, $"a field of {field.Length} characters");
            // By rune: an emoji's surrogate pair is fine, a lone surrogate is not (it decodes as U+FFFD, which is).
            Assert.DoesNotContain(field.EnumerateRunes(), r => Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
            Assert.False(field.Length > 0 && field[0] is '=' or '+' or '-' or '@', $"'{field}' reads as a formula");
        }
    }

    /// <summary>JSON keeps the reason whole — it is the analysts' format — escaped to ASCII, so it round-trips.</summary>
    private static void JsonReadsExactly(string text, IReadOnlyList<BlocklistEntry> published)
    {
        Assert.DoesNotContain(text, c => c > '~');
        using var document = JsonDocument.Parse(text);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        // Exactly, but for a lone surrogate, which is not text and JSON writes as U+FFFD.
        Assert.Equal(published.Select(e => (e.Subject, string.Concat(e.Reason.EnumerateRunes()))), entries.Select(e => (e.GetProperty("subject").GetString()!, e.GetProperty("reason").GetString()!)));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, string input, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    [GeneratedRegex(@"^[0-9a-f.:]+(/[0-9]{1,3})?$")]
    private static partial Regex SubjectText();

    [GeneratedRegex(@"ip4set: e32/24/16/8=(\d+)/(\d+)/(\d+)/(\d+)")]
    private static partial Regex Ip4SetCounts();

    [GeneratedRegex(@"ip6trie: ents=(\d+)")]
    private static partial Regex Ip6TrieCount();
}
