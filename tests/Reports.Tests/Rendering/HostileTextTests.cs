using System.Text.Json;
using RelayWatch.Reports.Rendering;
using RelayWatch.Reports.Tests.Support;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Reports.Tests.Rendering;

/// <summary>Everything in the logs is attacker-controlled: the report must show it as text, never run or link it.</summary>
public sealed class HostileTextTests
{
    private const string HostileHelo = "<script>alert(1)</script>";
    private const string HostileSender = "[click](http://evil.example/x)|=cmd|' /C calc'!A0";

    [Fact]
    public async Task HtmlEncodesAHostileHeloAndMarkdownNeutralisesMarkupAndFormulas()
    {
        await using var store = await TestEngine.OpenAsync();
        var evidence = JsonSerializer.Serialize(new { rule = "relay_denied", probe_types = new[] { "percent_hack" }, attempts = 3, helos = new[] { HostileHelo }, senders = new[] { HostileSender } });
        await store.ExecuteAsync(
            """
            INSERT INTO smtp_events (ts, relay, source, event, client_ip, helo, mail_from, reason, smtp_code)
            VALUES ('2026-11-24 10:00:00', 'mx1', 'postfix', 'rcpt_reject', toIPv6('198.51.100.7'), {helo:String}, {sender:String}, 'relay_denied', 554)
            """,
            new Dictionary<string, string> { ["helo"] = HostileHelo, ["sender"] = HostileSender }, CancellationToken.None);
        await store.ExecuteAsync(
            """
            INSERT INTO findings (day, detector, subject, severity, score, first_seen, last_seen, events, evidence, created_at)
            VALUES ('2026-11-24', 'relay_probe', '198.51.100.7', 'high', 1, '2026-11-24 10:00:00', '2026-11-24 10:00:00', 1, {evidence:String}, now64(3))
            """,
            new Dictionary<string, string> { ["evidence"] = evidence }, CancellationToken.None);

        var report = await SampleDayFixture.BuildAsync(store, SampleDayFixture.Day);
        var written = await ReportWriter.WriteAsync(report, Path.Combine(Path.GetTempPath(), "relaywatch-report-tests", Guid.NewGuid().ToString("N")), ReportWriter.Formats, CancellationToken.None);
        var html = await File.ReadAllTextAsync(written.Html!);
        var markdown = await File.ReadAllTextAsync(written.Markdown!);

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(HostileHelo, markdown, StringComparison.Ordinal);
        Assert.Contains(@"\<script\>alert(1)\</script\>", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("](http://evil", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("|=cmd", markdown, StringComparison.Ordinal);
        Assert.Contains(HostileHelo, report.Detectors.Single().Top.Single().Evidence.Single(e => e.Label == "HELO").Values);
    }

    [Theory]
    [InlineData("plain words 0.5", "plain words 0.5")]
    [InlineData("=HYPERLINK(\"x\")", "\\=HYPERLINK(\"x\")")]
    [InlineData("- not a list", "\\- not a list")]
    [InlineData("1. not a list", "1\\. not a list")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("a|b", "a\\|b")]
    [InlineData("see http://x.example", "see http\\://x.example")]
    [InlineData("www.x.example", "www\\.x.example")]
    [InlineData("line\nbreak", "line break")]
    [InlineData("**bold** _it_ `code` ![img](x)", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` !\\[img\\](x)")]
    public void MarkdownEscapesOnlyWhatWouldBeMarkup(string text, string escaped) =>
        Assert.Equal(escaped, MarkdownRenderer.Escape(text));
}
