using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Estate;
using RelayWatch.Store;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Analysis.Tests.Detection;

/// <summary>
/// The shared-dictionary rule against the slip unrelated senders share: two small senders in unrelated
/// networks both write carolgreen for carol.green, beside a real botnet walking a role-word dictionary.
/// </summary>
public sealed class SharedDictionaryTypoTests
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    [Fact]
    public async Task TheSameTypoFromTwoNetworksIsNoDictionaryButTheBotnetsWordsAre()
    {
        var store = await TestEngine.OpenAsync();
        await using (store.ConfigureAwait(false))
        {
            var rows = new List<string>();
            // Our real mailboxes: mail delivered to them from an ordinary sender, to Domino.
            foreach (var user in new[] { "carol.green", "bob", "alice.smith" })
            {
                rows.Add(Row("delivery", "192.0.2.10", $"{user}@ours.example", "ok", "mx.partner.example[10.20.0.5]:2222"));
            }

            // Two small senders, unrelated networks, the same slip as their only recipient.
            rows.Add(Row("rcpt_reject", "198.19.140.7", "carolgreen@ours.example", "user_unknown"));
            rows.Add(Row("rcpt_reject", "2001:db8:e123::9", "carolgreen@ours.example", "user_unknown"));
            // Six bots, each in a /48 of its own, trying two words of one dictionary.
            string[] words = ["admin", "sales", "billing", "office", "support", "webmaster"];
            for (var bot = 0; bot < 6; bot++)
            {
                var ip = string.Create(CultureInfo.InvariantCulture, $"2001:db8:d{bot:x3}::5");
                rows.Add(Row("rcpt_reject", ip, $"{words[bot]}@ours.example", "user_unknown"));
                rows.Add(Row("rcpt_reject", ip, $"{words[(bot + 1) % words.Length]}@ours.example", "user_unknown"));
            }

            await store.ExecuteAsync(
                "INSERT INTO smtp_events (ts, relay, source, event, client_ip, rcpt_to, reason, session_id, next_hop) VALUES " + string.Join(", ", rows),
                CancellationToken.None);

            await new DetectionRunner(store, new EstateSettings(), DetectorCatalog.Create(new DetectorSettings()), NullLogger.Instance)
                .RunAsync(Day, Day, null, CancellationToken.None);
            var findings = await Finding.ReadAsync(store, Day, Day, CancellationToken.None);

            var blamed = findings.Where(f => f.Detector == "dha").Select(f => f.Subject).ToList();
            Assert.Equal(6, blamed.Count);
            Assert.All(blamed, b => Assert.StartsWith("2001:db8:d", b, StringComparison.Ordinal));
        }
    }

    private static string Row(string kind, string ip, string recipient, string reason, string nextHop = "") =>
        $"('2026-11-24 10:00:00', 'mx1', 'test', '{kind}', toIPv6('{ip}'), '{recipient}', '{reason}', '{Guid.NewGuid():N}', '{nextHop}')";
}
