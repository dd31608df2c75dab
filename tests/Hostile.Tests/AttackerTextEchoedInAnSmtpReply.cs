using RelayWatch.Analysis.Blocklists;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// The postfix-cidr map's value is the reply Postfix sends the client it rejects. The evidence quotes the
/// attacker's own text (a HELO, an address); sending it back would let them probe what we saw and smuggle
/// bytes into our replies. Postfix itself (postmap, Debian <c>postfix</c>) must answer our fixed text only.
/// </summary>
public sealed class AttackerTextEchoedInAnSmtpReply : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 25, 1, 0, 0, DateTimeKind.Utc);

    private readonly string folder = Directory.CreateTempSubdirectory("relaywatch-hostile-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task PostfixRepliesWithOurFixedTextAndNeverTheEvidence()
    {
        var postmap = await DebianPackages.RequireAsync("postmap", "postfix");
        var published = BlocklistFormats.Published(
            [
                Entry("203.0.113.7", "relay_probe: HELO probe.attacker.example tried <user%other@ours.example> \u2019; 550 5.7.1 <you@victim.example>"),
                Entry("198.18.4.0/24", "dha: 1200 unknown recipients, e.g. <admin@ours.example>\u202E"),
            ],
            new BlocklistGuard(new BlocklistSettings(), [], [], []),
            Now);
        var path = Path.Combine(folder, "relaywatch.cidr");
        await BlocklistExport.WriteAsync(BlocklistFormats.Find("postfix-cidr"), published, path, Now, CancellationToken.None);

        foreach (var client in new[] { "203.0.113.7", "198.18.4.77" })
        {
            var answer = await DebianPackages.RunAsync(postmap, "-q", client, $"cidr:{path}");

            Assert.Equal((0, "REJECT Listed by RelayWatch\n", string.Empty), answer);
        }
    }

    private static BlocklistEntry Entry(string subject, string reason) =>
        new(subject, BlocklistActions.Listed, reason, ["finding:relay_probe:2026-11-24"], "high", Now.AddDays(-1), Now.AddDays(6), "relaywatch", Now.AddDays(-1));
}
