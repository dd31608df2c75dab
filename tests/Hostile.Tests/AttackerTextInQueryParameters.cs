using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// Text a remote sender chooses (a HELO, an address) that later becomes a query parameter — an analyst
/// drilling into what a client said, a label, a blocklist subject — is matched exactly as it was
/// logged. ClickHouse reads a parameter as one escaped TabSeparated field, so unescaped a trailing
/// backslash or a tab broke the query and <c>\N</c>, <c>\"</c> or <c>\t</c> matched other text.
/// </summary>
public sealed class AttackerTextInQueryParameters
{
    public static TheoryData<string> HostileHelos() =>
    [
        "trailing\\",
        "tab\there",
        "\\N",
        "\\\"quoted\\\"",
        "a\\tb",
        "line\nbreak",
        "x'); DROP TABLE smtp_events; --",
        "{v:String}",
        "\\x41\\0",
    ];

    [Theory]
    [MemberData(nameof(HostileHelos))]
    public async Task AHostileHeloIsFoundByExactlyItsOwnText(string helo)
    {
        await using var store = await TestEngine.OpenAsync();
        foreach (var (text, line) in new[] { (helo, 1), ("a\tb", 2), ("\"quoted\"", 3), (string.Empty, 4), ("trailing", 5) })
        {
            await store.InsertRowAsync("smtp_events", new Dictionary<string, object>
            {
                ["ts"] = "2026-11-24 10:00:00.000",
                ["relay"] = "mx1",
                ["event"] = "connect",
                ["helo"] = text,
                ["line"] = line,
            }, CancellationToken.None);
        }

        var lines = await store.QueryListAsync(
            "SELECT line FROM smtp_events WHERE helo = {helo:String} ORDER BY line",
            new Dictionary<string, string> { ["helo"] = helo },
            CancellationToken.None);

        Assert.Equal(["1"], lines.Select(r => r[0]));
    }
}
