using System.Net;
using System.Text.Json;
using RelayWatch.Ingest.Dmarc;
using RelayWatch.Simulation.Actors;

namespace RelayWatch.Simulation.Tests.Actors;

public sealed class DmarcReportersTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-dmarcsim-test-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private SimulationSummary Simulate(string name, int days = 7, int seed = 3) =>
        new Simulator(new SimulationOptions { Output = Path.Combine(directory, name), Seed = seed, Days = days, Scale = 0.02, Start = new DateOnly(2026, 10, 5) }).Run(CancellationToken.None);

    private static List<(string Kind, string Subject, DateOnly Day, JsonElement Detail)> Truth(SimulationSummary summary) =>
        [.. File.ReadLines(Path.Combine(summary.Output, "truth.jsonl")).Select(line =>
        {
            var root = JsonDocument.Parse(line).RootElement;
            return (root.GetProperty("kind").GetString()!, root.GetProperty("subjects")[0].GetString()!,
                DateOnly.FromDateTime(root.GetProperty("start").GetDateTimeOffset().UtcDateTime), root.GetProperty("detail"));
        })];

    private static List<DmarcReport> Reports(SimulationSummary summary)
    {
        var reader = new DmarcReportReader();
        var outcomes = Directory.EnumerateFiles(Path.Combine(summary.Output, Simulator.DmarcFolder)).Order(StringComparer.Ordinal).SelectMany(reader.ReadFile).ToList();
        Assert.All(outcomes, o => Assert.True(o.Report is not null, $"{o.Source}: {o.Refusal}"));
        return [.. outcomes.Select(o => o.Report!)];
    }

    private static string Day(DmarcReport report) => DateOnly.FromDateTime(report.Begin.UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string Text(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    [Fact]
    public void EveryReportIsReadByTheIngestOncePerReceiverAndDayGzippedByTheReceiversThatDo()
    {
        var summary = Simulate("reports");
        var files = Directory.EnumerateFiles(Path.Combine(summary.Output, Simulator.DmarcFolder)).Select(Path.GetFileName).ToList();
        var reports = Reports(summary);

        Assert.Equal(7 * 3, reports.Count);
        Assert.Equal(reports.Count, reports.Select(r => (r.ReporterOrg, r.ReportId)).Distinct().Count());
        Assert.Equal(7 * 2, files.Count(f => f!.EndsWith(".xml.gz", StringComparison.Ordinal)));
        Assert.Contains("mailhost.example!ours.example!1791158400!1791244799.xml", files);
        Assert.All(reports, r => Assert.Equal(("ours.example", "none", "rfc7489"), (r.Policy.Domain, r.Policy.P, r.Schema)));
        Assert.All(reports, r => Assert.All(r.Records, record => Assert.Equal("ours.example", record.HeaderFrom)));
    }

    [Fact]
    public void TheSourcesFailingDmarcAreExactlyTheTruthsForgersEachOnItsDay()
    {
        var summary = Simulate("forgers");
        var truth = Truth(summary);
        var failing = Reports(summary)
            .SelectMany(r => r.Records.Where(x => x.Dkim != "pass" && x.Spf != "pass").Select(x => $"{Day(r)} {Text(x.SourceIp)}"))
            .ToHashSet(StringComparer.Ordinal);
        var forgers = truth.Where(t => t.Kind == "dmarc_forgery").Select(t => $"{t.Day:yyyy-MM-dd} {t.Subject}").ToHashSet(StringComparer.Ordinal);

        Assert.Equal(forgers.Order(StringComparer.Ordinal), failing.Order(StringComparer.Ordinal));
        Assert.Contains(truth, t => t.Kind == "dmarc_forgery" && t.Detail.GetProperty("shape").GetString() == "elsewhere_only");
        // A forger seen from both sides is one of the day's spoofers of our own domain at the relays.
        var both = truth.Where(t => t.Kind == "dmarc_forgery" && t.Detail.GetProperty("also_hit_our_relays").GetBoolean()).ToList();
        Assert.NotEmpty(both);
        Assert.All(both, f => Assert.Contains(truth, s => s.Kind == "spoofing" && s.Subject == f.Subject && s.Day == f.Day && !s.Detail.GetProperty("look_alike").GetBoolean()));
        var relaysSaw = File.ReadAllText(Path.Combine(summary.Output, "logs", "mx1", "mail.log")) + File.ReadAllText(Path.Combine(summary.Output, "logs", "mx2", "mainlog"));
        Assert.All(truth.Where(t => t.Kind == "dmarc_forgery" && !t.Detail.GetProperty("also_hit_our_relays").GetBoolean()), f => Assert.DoesNotContain(f.Subject, relaysSaw, StringComparison.Ordinal));
    }

    [Fact]
    public void OurRelaysFailOnlyOnTheirMisconfiguredDaysAndForwardersFailSpfButPassDkim()
    {
        var summary = Simulate("outbound");
        var truth = Truth(summary);
        var reports = Reports(summary);
        var relays = MxRouting.Sites.Select(s => SimulatedNetworks.PublicAddress(s.Relay)).ToHashSet(StringComparer.Ordinal);
        var ours = reports.SelectMany(r => r.Records.Where(x => relays.Contains(Text(x.SourceIp))).Select(x => (Day: Day(r), Ip: Text(x.SourceIp), x.Dkim, x.Spf, x.Count))).ToList();
        var failing = ours.Where(x => x.Dkim != "pass" || x.Spf != "pass").Select(x => $"{x.Day} {x.Ip}").ToHashSet(StringComparer.Ordinal);
        var misconfigured = truth.Where(t => t.Kind == "outbound_auth_failure").Select(t => $"{t.Day:yyyy-MM-dd} {t.Subject}").ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(misconfigured);
        Assert.Equal(misconfigured.Order(StringComparer.Ordinal), failing.Order(StringComparer.Ordinal));
        // One check fails, never both: DMARC still passes, so our relay never reads as a forger.
        Assert.All(ours, x => Assert.True(x.Dkim == "pass" || x.Spf == "pass"));
        Assert.Contains(ours, x => x.Dkim == "pass" && x.Spf == "pass");

        var forwarders = truth.Where(t => t.Kind == "legitimate" && t.Detail.GetProperty("sender").GetString() == "dmarc_forwarder").Select(t => t.Subject).ToHashSet(StringComparer.Ordinal);
        var forwarded = reports.SelectMany(r => r.Records).Where(x => forwarders.Contains(Text(x.SourceIp))).ToList();
        Assert.Equal(2, forwarders.Count);
        Assert.NotEmpty(forwarded);
        Assert.All(forwarded, x => Assert.Equal(("pass", "fail"), (x.Dkim, x.Spf)));

        using var estate = JsonDocument.Parse(File.ReadAllText(Path.Combine(summary.Output, Simulator.EstateFile)));
        Assert.Equal(relays.Order(StringComparer.Ordinal), estate.RootElement.GetProperty("estate").GetProperty("relayAddresses").EnumerateArray().Select(a => a.GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryAddressTheTruthNamesHasANetworkInTheContextCsvAndTheMostSpecificOneNamesItsRole()
    {
        var summary = Simulate("context", days: 2);
        var lines = File.ReadAllLines(Path.Combine(summary.Output, Simulator.ContextFile));
        Assert.Equal("network,asn,organisation,country", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).Select(f => (Network: IPNetwork.Parse(f[0]), Asn: uint.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), Organisation: f[2], Country: f[3])).ToList();
        Assert.All(rows, r => Assert.True(r.Asn is >= 64496 and <= 64511 or >= 65536 and <= 65551, $"AS{r.Asn} is not a documentation AS number"));
        (uint Asn, string Organisation) Lookup(string address)
        {
            var ip = IPAddress.Parse(address);
            var match = rows.Where(r => r.Network.Contains(ip)).OrderByDescending(r => r.Network.PrefixLength).ToList();
            Assert.True(match.Count > 0, $"{address} is in no network of the context CSV");
            return (match[0].Asn, match[0].Organisation);
        }

        // Our own private space (Domino, the relays' inside addresses) is internal, not the Internet's.
        var inside = IPNetwork.Parse("10.0.0.0/8");
        foreach (var subject in Truth(summary).Select(t => t.Subject).Where(s => IPAddress.TryParse(s, out var ip) && !inside.Contains(ip)).Distinct(StringComparer.Ordinal))
        {
            Lookup(subject);
        }

        Assert.Equal((64510u, "Ours Example Corp"), Lookup(SimulatedNetworks.PublicAddress("mx1")));
        Assert.Equal((64500u, "Example Hosting"), Lookup("198.51.100.117"));
        Assert.Equal((64502u, "Bulletproof Example Ltd"), Lookup("198.51.100.143"));
    }
}
