using System.Globalization;
using RelayWatch.Simulation.Relays;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// A spam botnet meeting the relay's first defences: many addresses on dynamic networks, listed by
/// DNSBLs, often talking before the greeting. Postfix's postscreen refuses them (blocked using the
/// DNSBL) or they hang up; Exim drops those that talk first and refuses the rest in its RCPT ACL.
/// </summary>
internal sealed class SpamBotnet(Estate estate, SimLog log, int seed, int actorIndex) : IActor
{
    private readonly List<TruthRecord> truth = [];

    public IEnumerable<IReadOnlyList<SimLine>> Sessions(DateOnly day)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var bots = new SortedSet<string>(StringComparer.Ordinal);
        var sessions = new List<(DateTimeOffset Start, IReadOnlyList<SimLine> Lines)>();
        for (var bot = 0; bot < 20 + random.Next(40); bot++)
        {
            var ip = random.NextDouble() < 0.85
                ? string.Create(CultureInfo.InvariantCulture, $"198.19.{random.Next(128)}.{random.Next(1, 255)}")
                : string.Create(CultureInfo.InvariantCulture, $"2001:db8:b07:{random.Next(0xffff):x}::{random.Next(1, 0xffff):x}");
            bots.Add(ip);
            var at = SimRandom.Diurnal(random, day);
            var start = at;
            var port = random.Next(1024, 65535).ToString(CultureInfo.InvariantCulture);
            var lines = new List<SimLine>();
            var client = new Dictionary<string, string> { ["client_ip"] = ip, ["client_port"] = port };
            var relay = log.Routing.RelayFor(at, ip, favoursBackup: true);
            var writer = log.WriterFor(relay, 30_000 + int.Parse(port, CultureInfo.InvariantCulture) % 20_000);
            void Line(string kind, Dictionary<string, string> values)
            {
                foreach (var (key, value) in client)
                {
                    values.TryAdd(key, value);
                }

                writer.Write(lines, at, PostfixWriter.Postscreen, PostfixWriter.PostscreenPid, kind, values);
            }

            Line("postscreen.connect", new() { ["server_ip"] = PostfixWriter.ServerIp, ["server_port"] = "25", ["listed_in"] = "zen.dnsbl.example" });
            if (random.NextDouble() < 0.4)
            {
                at = at.AddSeconds(0.05 + random.NextDouble());
                Line("postscreen.pregreet", new() { ["pregreet_bytes"] = "22", ["pregreet_seconds"] = "0.08", ["detail"] = "EHLO win-desktop.local\\r\\n" });
            }

            at = at.AddSeconds(0.2);
            Line("postscreen.dnsbl", new() { ["dnsbl_rank"] = (2 + random.Next(4)).ToString(CultureInfo.InvariantCulture) });
            if (random.NextDouble() < 0.5)
            {
                at = at.AddSeconds(1 + random.NextDouble());
                var recipient = $"{SimRandom.Pick(random, estate.Users)}@{estate.Domain}";
                Line("postscreen.reject", new()
                {
                    ["stage"] = "RCPT", ["smtp_code"] = "550", ["dsn"] = "5.7.1",
                    ["detail"] = $"Service unavailable; client [{ip}] blocked using zen.dnsbl.example",
                    ["mail_from"] = $"promo{random.Next(1000)}@cheap-deals.example", ["rcpt_to"] = recipient, ["proto"] = "ESMTP", ["helo"] = "win-desktop.local",
                });
                at = at.AddSeconds(0.1);
                Line("postscreen.disconnect", []);
            }
            else
            {
                at = at.AddSeconds(2 + random.NextDouble());
                Line("postscreen.hangup", new() { ["seconds"] = SimRandom.Seconds((at - start).TotalSeconds), ["detail"] = "tests after SMTP handshake" });
            }

            sessions.Add((start, lines));
        }

        truth.Add(new TruthRecord("spam_botnet", [.. bots], sessions.Min(s => s.Start), sessions.Max(s => s.Lines[^1].Time), log.Routing.RelaysOf(bots), new Dictionary<string, object>
        {
            ["bots"] = bots.Count, ["dnsbl"] = "zen.dnsbl.example",
        }));
        return sessions.OrderBy(s => s.Start).Select(s => s.Lines);
    }

    public IEnumerable<TruthRecord> Truth() => truth;
}
