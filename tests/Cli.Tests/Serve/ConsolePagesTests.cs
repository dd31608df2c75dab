using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using RelayWatch.Cli.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Cli.Tests.Serve;

/// <summary>
/// The console's pages over the simulated estate's logs (data/samples/simulated) and one hostile session,
/// served by the real serve process on loopback without users (this machine's owner is an admin).
/// </summary>
public sealed partial class ConsolePagesTests : IDisposable
{
    // A session whose HELO is markup and a right-to-left override.
    private const string HostileLog = ConsoleBrowserFixture.HostileLog;

    private readonly TemporaryDirectory directory = new();
    private Process? serve;

    public void Dispose()
    {
        if (serve is not null)
        {
            RelayWatchProcess.StopAsync(serve).GetAwaiter().GetResult();
        }

        directory.Dispose();
    }

    [Fact]
    public async Task AnAnalystGoesFromTheOverviewToAnAddressActsOnItAndSearches()
    {
        var origin = await StartAsync();
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies });

        var overview = await http.GetStringAsync(new Uri($"{origin}/"));
        Assert.Contains("<h2>2026-11-24 against the week before</h2>", overview, StringComparison.Ordinal);
        Assert.Matches(@"detector=open_relay"">open_relay</a></td><td class=""num"">1</td>", overview);

        var openRelay = await http.GetStringAsync(new Uri($"{origin}/findings?from=2026-11-24&to=2026-11-24&detector=open_relay"));
        Assert.Contains("<p>1 findings, page 1 of 1.", openRelay, StringComparison.Ordinal);
        var csv = await http.GetStringAsync(new Uri($"{origin}/findings?from=2026-11-24&to=2026-11-24&detector=open_relay&format=csv"));
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("day,detector,subject,severity,score,events,first_seen,last_seen,dismissed,status", lines[0]);
        Assert.Matches(@"^2026-11-24,open_relay,[^,]+,critical,[\d.]+,\d+,2026-11-24 [\d:]+,2026-11-24 [\d:]+,no,new$", Assert.Single(lines[1..]));

        // The DHA findings of an IPv6 /48 harvest: filtering by the network finds them, and an address in it links to its page.
        var harvest = await http.GetStringAsync(new Uri($"{origin}/findings?from=2026-11-24&to=2026-11-24&subject={Uri.EscapeDataString("2001:db8:5a0b::/48")}"));
        Assert.Matches(@"<p>[1-9]\d* findings", harvest);
        var profile = await http.GetStringAsync(new Uri($"{origin}/ip/2001:db8:5a0b:e8bd::d6c"));
        Assert.Matches(@"<tr><td>2026-11-24</td><td>mx1</td><td class=""num"">\d+</td>", profile);
        Assert.Contains("<td>[2001:db8:5a0b:e8bd::d6c]</td>", profile, StringComparison.Ordinal);

        // From the address to its /48: every member of the harvest with what it did, and the findings in the network.
        Assert.Contains("Its networks: <a href=\"/net/2001%3Adb8%3A5a0b%3A%3A/48\">/48</a>", profile, StringComparison.Ordinal);
        var network = await http.GetStringAsync(new Uri($"{origin}/net/2001%3Adb8%3A5a0b%3A%3A/48"));
        Assert.Contains("<h1>2001:db8:5a0b::/48</h1>", network, StringComparison.Ordinal);
        Assert.Contains("Addresses 2001:db8:5a0b:: to 2001:db8:5a0b:ffff:ffff:ffff:ffff:ffff;", network, StringComparison.Ordinal);
        Assert.Matches(@"<tr><td><a href=""/ip/2001%3Adb8%3A5a0b%3Ae8bd%3A%3Ad6c"">2001:db8:5a0b:e8bd::d6c</a></td><td>2026-11-24</td>", network);
        Assert.Matches(@"<td>2026-11-24</td><td>dha</td><td><a href=""[^""]+"">2001:db8:5a0b:", network);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{origin}/net/not-an-address/24"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{origin}/net/192.0.2.0/33"))).StatusCode);

        // Label the address, dismiss a finding: both stored, both in the audit trail with their notes.
        var token = await TokenAsync(http, $"{origin}/findings?from=2026-11-24&to=2026-11-24&detector=open_relay");
        var finding = DismissForm().Match(openRelay);
        Assert.True(finding.Success, "the findings page offers no dismissal");
        var dismissed = await http.PostAsync(new Uri($"{origin}/findings/dismiss"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Name] = token.Value, ["day"] = "2026-11-24", ["detector"] = "open_relay", ["subject"] = WebUtility.HtmlDecode(finding.Groups["subject"].Value),
            ["note"] = "our own test relay", ["returnUrl"] = "/findings?from=2026-11-24&to=2026-11-24&detector=open_relay",
        }));
        Assert.Equal(HttpStatusCode.Redirect, dismissed.StatusCode);
        var afterwards = await http.GetStringAsync(new Uri($"{origin}/findings?from=2026-11-24&to=2026-11-24&detector=open_relay"));
        Assert.Contains("<tr class=\"dismissed\">", afterwards, StringComparison.Ordinal);
        Assert.EndsWith(",yes,new dismissed", (await http.GetStringAsync(new Uri($"{origin}/findings?from=2026-11-24&to=2026-11-24&detector=open_relay&format=csv"))).TrimEnd(), StringComparison.Ordinal);

        var labelled = await http.PostAsync(new Uri($"{origin}/ip/2001:db8:5a0b:e8bd::d6c/label"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Name] = token.Value, ["verdict"] = "bad", ["note"] = "dictionary harvest",
        }));
        Assert.Equal(HttpStatusCode.Redirect, labelled.StatusCode);
        var relabelled = await http.GetStringAsync(new Uri($"{origin}/ip/2001:db8:5a0b:e8bd::d6c"));
        Assert.Contains("Labelled <strong id=\"verdict\">bad</strong> by local:", relabelled, StringComparison.Ordinal);
        Assert.Matches(@"<td>local:[^<]+</td><td>label_bad</td><td>dictionary harvest</td>", relabelled);

        // Search: a queue id goes to its client's page, an address to its page, a network to its findings.
        Assert.Equal("/ip/192.0.2.1", (await http.GetAsync(new Uri($"{origin}/search?q=7441EC79CD"))).Headers.Location?.ToString());
        Assert.Equal("/ip/203.0.113.7", (await http.GetAsync(new Uri($"{origin}/search?q=203.0.113.7"))).Headers.Location?.ToString());
        Assert.Equal("/findings?subject=2001%3Adb8%3A5a0b%3A%3A%2F48", (await http.GetAsync(new Uri($"{origin}/search?q=2001:db8:5a0b::/48"))).Headers.Location?.ToString());
        var domain = await http.GetStringAsync(new Uri($"{origin}/search?q=evil.example"));
        Assert.Contains("<a href=\"/ip/198.51.100.66\">198.51.100.66</a>", domain, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReviewEntryApprovedIsInTheExportAndARejectedOneIsNot()
    {
        // Two entries the impact check held back (the simulated estate has none of its own).
        var origin = await StartAsync(["query",
            """
            INSERT INTO blocklist_changes (subject, action, reason, sources, severity, listed_at, expires_at, changed_by, changed_at) VALUES
            ('203.0.113.77', 'review', 'dha: held, it also delivered mail to our users', ['dha'], 'high', now64(3), now64(3) + INTERVAL 7 DAY, 'blocklist', now64(3)),
            ('203.0.113.78', 'review', 'dha: held, it also delivered mail to our users', ['dha'], 'high', now64(3), now64(3) + INTERVAL 7 DAY, 'blocklist', now64(3)),
            ('203.0.113.79', 'review', 'dha 2026-11-24: 40 unknown recipients — held for review: 12 accepted messages from it in the last 30 days', ['finding:dha:2026-11-24'], 'medium', now64(3) - INTERVAL 1 HOUR, now64(3) - INTERVAL 1 HOUR, 'relaywatch', now64(3) - INTERVAL 1 HOUR)
            """]);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });

        var queue = await http.GetStringAsync(new Uri($"{origin}/blocklist"));
        Assert.Contains("<td><a href=\"/ip/203.0.113.77\">203.0.113.77</a></td><td>high</td><td>dha: held, it also delivered mail to our users</td>", queue, StringComparison.Ordinal);
        var token = await TokenAsync(http, $"{origin}/blocklist");
        var approved = await http.PostAsync(new Uri($"{origin}/blocklist/change"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Name] = token.Value, ["subject"] = "203.0.113.77", ["action"] = "list", ["note"] = "checked: a harvester", ["returnUrl"] = "/blocklist",
        }));
        var rejected = await http.PostAsync(new Uri($"{origin}/blocklist/change"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Name] = token.Value, ["subject"] = "203.0.113.78", ["action"] = "remove", ["note"] = "a partner's list server", ["returnUrl"] = "/blocklist",
        }));
        var export = await http.GetStringAsync(new Uri($"{origin}/blocklists/postfix-cidr"));
        var after = await http.GetStringAsync(new Uri($"{origin}/blocklist"));
        var profile = await http.GetStringAsync(new Uri($"{origin}/ip/203.0.113.77"));

        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, rejected.StatusCode);
        Assert.Contains("203.0.113.77 REJECT", export, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.78", export, StringComparison.Ordinal);
        Assert.Matches(@"<h2>Held for review</h2><table>.*203\.0\.113\.79.*</table><h2>Listed</h2>", after.ReplaceLineEndings(string.Empty));
        Assert.DoesNotMatch(@"<h2>Held for review</h2><table>.*203\.0\.113\.7[78].*</table><h2>Listed</h2>", after.ReplaceLineEndings(string.Empty));
        // The impact check's holds, with why and what came of each.
        Assert.Matches(@"<tr><td>[\d-]+ [\d:]+</td><td><a href=""/ip/203\.0\.113\.79"">203\.0\.113\.79</a></td><td>medium</td><td>dha 2026-11-24: 40 unknown recipients</td><td>12 accepted messages from it in the last 30 days</td><td>waiting for an analyst</td></tr>", after);
        Assert.Matches(@"<td><a href=""/ip/203\.0\.113\.77"">203\.0\.113\.77</a></td><td>high</td><td>dha: held, it also delivered mail to our users</td><td></td><td>approved by local:[^<]+ at [\d-]+ [\d:]+: checked: a harvester</td>", after);
        Assert.Matches(@"<td><a href=""/ip/203\.0\.113\.78"">203\.0\.113\.78</a></td><td>high</td><td>dha: held, it also delivered mail to our users</td><td></td><td>rejected by local:[^<]+ at [\d-]+ [\d:]+: a partner&#39;s list server</td>", after);
        // The audit trail: who did what, when, and why.
        Assert.Matches(@"<tr><td>[\d-]+ [\d:]+</td><td>local:[^<]+</td><td>approved</td><td><a href=""/ip/203\.0\.113\.77"">203\.0\.113\.77</a></td><td>checked: a harvester</td><td>[\d-]+ [\d:]+</td></tr>", after);
        Assert.Matches(@"<tr><td>[\d-]+ [\d:]+</td><td>local:[^<]+</td><td>rejected</td><td><a href=""/ip/203\.0\.113\.78"">203\.0\.113\.78</a></td><td>a partner&#39;s list server</td><td></td></tr>", after);
        Assert.Matches(@"<tr><td>[\d-]+ [\d:]+</td><td>relaywatch</td><td>held for review</td><td><a href=""/ip/203\.0\.113\.79"">", after);
        Assert.Matches(@"<td>local:[^<]+</td><td>blocklist_approved</td><td>checked: a harvester</td>", profile);
    }

    [Fact]
    public async Task AHostileHeloIsShownAsText()
    {
        var origin = await StartAsync();
        using var http = new HttpClient();

        var page = await http.GetStringAsync(new Uri($"{origin}/ip/198.51.100.66"));

        Assert.Contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;<span class=\"mark\">‹U+202E›</span>exe.gpj</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", page, StringComparison.Ordinal);
    }

    /// <summary>
    /// The reports archive lists each day's files and opens the day's HTML report inside the page, in a
    /// sandboxed frame that the report's own policy lets only this site draw; an API client still gets JSON.
    /// </summary>
    [Fact]
    public async Task TheReportsArchiveOpensADaysReportInThePageAndStillAnswersJson()
    {
        var origin = await StartAsync(["report", "--day", "2026-11-24", "--out", Path.Combine(directory.Combine("data"), "reports")]);
        using var http = new HttpClient();

        using var pageRequest = new HttpRequestMessage(HttpMethod.Get, new Uri($"{origin}/reports"));
        pageRequest.Headers.Accept.ParseAdd("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
        using var page = await http.SendAsync(pageRequest);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<tr><td><strong>2026-11-24</strong></td><td><a href=\"/reports/report-2026-11-24.html\">html</a> <a href=\"/reports/report-2026-11-24.json\">json</a> <a href=\"/reports/report-2026-11-24.md\">md</a></td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<iframe class=\"report\" sandbox title=\"Report of 2026-11-24\" src=\"/reports/report-2026-11-24.html\"></iframe>", html, StringComparison.Ordinal);
        Assert.Contains("frame-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using var framed = await http.GetAsync(new Uri($"{origin}/reports/report-2026-11-24.html"));
        Assert.Contains("frame-ancestors 'self'", framed.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("SAMEORIGIN", framed.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());

        var list = await http.GetStringAsync(new Uri($"{origin}/reports"));
        Assert.StartsWith("[{\"name\":\"report-2026-11-24.md\",\"url\":\"/reports/report-2026-11-24.md\"}", list, StringComparison.Ordinal);
    }

    /// <summary>
    /// Ingest health shows each relay's last event, each file with its unrecognised share, and the newest
    /// unrecognised line itself — encoded, since a log line is the attacker's text.
    /// </summary>
    [Fact]
    public async Task IngestHealthShowsEachRelayEachFileAndTheLinesNoGrammarKnew()
    {
        var odd = directory.Combine("odd.log");
        await File.WriteAllTextAsync(odd,
            "2026-11-24T10:00:00.000000+00:00 mx9 postfix/smtpd[4243]: connect from unknown[198.51.100.67]\n"
            + "2026-11-24T10:00:01.000000+00:00 mx9 postfix/smtpd[4243]: frobnicated <script>alert(2)</script> from unknown[198.51.100.67]\n");
        var origin = await StartAsync(["ingest", odd]);
        using var http = new HttpClient();

        var page = await http.GetStringAsync(new Uri($"{origin}/ingest"));

        Assert.Matches(@"<tr><td>mx1</td><td>2026-11-24 [\d:.]+</td><td class=""num"">\d+ d \d+ h</td><td class=""num"">[\d,]+</td><td class=""num"">[\d.]+</td></tr>", page);
        Assert.Contains("<tr><td>mx9</td><td>2026-11-24 10:00:00.000</td>", page, StringComparison.Ordinal);
        Assert.Matches(@"<tr><td>[^<]*odd\.log</td><td>postfix</td><td>committed</td><td class=""num"">2</td><td class=""num"">1</td><td class=""num"">0</td><td class=""num"">1</td><td class=""num"">50\.00 %</td>", page);
        Assert.Contains("frobnicated &lt;script&gt;alert(2)&lt;/script&gt; from unknown[198.51.100.67]", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
    }

    /// <summary>
    /// The explorer filters by least severity and by status — new or continuing (named in the week before), gone
    /// (not named the next day), dismissed — and sorts by score; a value outside the lists is refused.
    /// </summary>
    [Fact]
    public async Task TheExplorerFiltersBySeverityAndStatusAndSorts()
    {
        // The day before the sample's: the open relay already, and a harvester not seen again.
        var origin = await StartAsync(["query",
            """
            INSERT INTO findings (day, detector, subject, severity, score, first_seen, last_seen, events, evidence)
            SELECT toDate('2026-11-23'), detector, subject, severity, score, first_seen - INTERVAL 1 DAY, last_seen - INTERVAL 1 DAY, events, evidence
            FROM findings WHERE day = '2026-11-24' AND detector = 'open_relay'
            """], ["query",
            """
            INSERT INTO findings (day, detector, subject, severity, score, first_seen, last_seen, events, evidence)
            VALUES ('2026-11-23', 'dha', '192.0.2.250', 'low', 0.5, '2026-11-23 10:00:00', '2026-11-23 11:00:00', 3, '{"rule":"per_ip"}')
            """]);
        using var http = new HttpClient();
        async Task<string[]> CsvAsync(string query) =>
            (await http.GetStringAsync(new Uri($"{origin}/findings?from=2026-11-23&to=2026-11-24&format=csv&{query}"))).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1..];

        var all = await CsvAsync(string.Empty);
        var critical = await CsvAsync("severity=critical");
        var high = await CsvAsync("severity=high");
        var continuing = await CsvAsync("status=continuing");
        var gone = await CsvAsync("status=gone");
        var fresh = await CsvAsync("status=new&detector=open_relay");
        var byScore = await CsvAsync("sort=score");
        var page = await http.GetStringAsync(new Uri($"{origin}/findings?from=2026-11-23&to=2026-11-24&status=gone"));
        var refused = await http.GetAsync(new Uri($"{origin}/findings?from=2026-11-23&to=2026-11-24&status=forgotten"));

        Assert.NotEmpty(critical);
        Assert.All(critical, line => Assert.Equal("critical", line.Split(',')[3]));
        Assert.All(high, line => Assert.Contains(line.Split(',')[3], new[] { "high", "critical" }));
        Assert.Equal(all.Count(line => line.Split(',')[3] is "high" or "critical"), high.Length);
        Assert.Matches(@"^2026-11-24,open_relay,[^,]+,critical,.*,no,continuing$", Assert.Single(continuing));
        Assert.Matches(@"^2026-11-23,dha,192\.0\.2\.250,low,.*,no,new gone$", Assert.Single(gone));
        Assert.Matches(@"^2026-11-23,open_relay,[^,]+,critical,.*,no,new$", Assert.Single(fresh));
        var scores = byScore.Select(line => double.Parse(line.Split(',')[4], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(all.Length, scores.Count);
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Contains("<td class=\"num\">3</td><td>new, gone</td>", page, StringComparison.Ordinal);
        Assert.Contains("<option value=\"gone\" selected>gone</option>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    /// <summary>
    /// Every finding links to its campaign page; the /48 harvest's page lists its members with what each did and
    /// the dictionary they shared, the members being exactly those its evidence names; an unknown finding is 404.
    /// </summary>
    [Fact]
    public async Task EachFindingOpensAsACampaignAndAHarvestShowsItsMembersAndDictionary()
    {
        // A backscatter wave as the detector records one (the sample has none), one server's name hostile.
        var origin = await StartAsync(["query",
            """
            INSERT INTO findings (day, detector, subject, severity, score, first_seen, last_seen, events, evidence) VALUES
            ('2026-11-24', 'backscatter', 'ours.example', 'medium', 0.9, '2026-11-24 03:00:00', '2026-11-24 04:59:00', 40,
             '{"rule":"wave","bounces":40,"unmatched_bounces":36,"servers":3,"networks":2,"sample_servers":["mx.victim-one.example","<b>mx</b>.victim-two.example"],"targets":30,"real_targets":4,"made_up_targets":26,"sample_targets":["a1b2@ours.example","zz9@ours.example"],"local_part_shapes":["a#b# (20)","zz# (10)"],"refused":30,"refused_share":0.75,"relays":["mx1"],"peak_hour":"2026-11-24 03:00:00","peak_hour_bounces":25,"hourly":[{"hour":"2026-11-24 03:00:00","refused":20,"accepted":5},{"hour":"2026-11-24 04:00:00","refused":10,"accepted":5}]}')
            """]);
        using var http = new HttpClient();

        var findings = await http.GetStringAsync(new Uri($"{origin}/findings?from=2026-11-24&to=2026-11-24"));
        var links = CampaignLink().Matches(findings).Select(m => WebUtility.HtmlDecode(m.Groups["href"].Value)).Distinct().ToList();
        var pages = new Dictionary<string, string>();
        foreach (var link in links)
        {
            pages[link] = await http.GetStringAsync(new Uri(origin + link));
        }

        var harvest = pages.Single(p => p.Key.StartsWith("/campaign/2026-11-24/dha/2001%3Adb8%3A5a0b%3A%3A/48", StringComparison.Ordinal)).Value;
        var missing = await http.GetAsync(new Uri($"{origin}/campaign/2026-11-24/dha/192.0.2.250"));

        Assert.Equal(Regex.Count(findings, "<tr class="), links.Count);
        Assert.All(pages.Values, page => Assert.Contains("<h2>Evidence</h2><table><tr><th>field</th><th>value</th></tr><tr><td>rule</td>", page, StringComparison.Ordinal));
        Assert.Contains("<h1>dha 2001:db8:5a0b::/48</h1>", harvest, StringComparison.Ordinal);
        var members = Regex.Match(harvest, @"<h2>Members \((?<n>\d+)\)</h2>");
        Assert.True(members.Success, "the harvest's page has no members heading");
        var rows = MemberRow().Matches(harvest);
        Assert.Equal(int.Parse(members.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture), rows.Count);
        Assert.Contains(rows, r => r.Groups["ip"].Value == "2001:db8:5a0b:e8bd::d6c");
        Assert.All(rows, r => Assert.StartsWith("2001:db8:5a0b:", r.Groups["ip"].Value, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.True(int.Parse(r.Groups["unknown"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0));
        var evidenceMembers = Regex.Match(harvest, "<tr><td>members</td><td>(?<list>[^<]*)</td></tr>").Groups["list"].Value.Split(", ");
        Assert.Equal(evidenceMembers.Order(StringComparer.Ordinal), rows.Select(r => r.Groups["ip"].Value).Order(StringComparer.Ordinal));
        var dictionary = Regex.Match(harvest, @"<h2 id=""dictionary"">Dictionary: (?<n>\d+) recipients tried that do not exist</h2>");
        Assert.True(dictionary.Success, "the harvest's page has no dictionary");
        Assert.True(int.Parse(dictionary.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) > 1);
        Assert.Matches(@"<tr><th>recipient</th><th>members that tried it</th><th>tries</th></tr><tr><td>[^<]+@[^<]+</td><td class=""num"">[1-9]\d*</td>", harvest);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // A relay probe's shapes are the refused relay attempts themselves: the recipients its evidence samples.
        var probes = pages.Where(p => p.Key.StartsWith("/campaign/2026-11-24/relay_probe/", StringComparison.Ordinal)).Select(p => p.Value).ToList();
        Assert.NotEmpty(probes);
        foreach (var probe in probes)
        {
            var sampled = Regex.Match(probe, "<tr><td>sample_recipients</td><td>(?<list>[^<]*)</td></tr>").Groups["list"].Value.Split(", ");
            var shapes = Regex.Matches(probe, "<tr><td>(?<rcpt>[^<]+)</td><td>[^<]*</td><td>[^<]*</td><td>mx\\d</td><td class=\"num\">\\d+</td>").Select(m => m.Groups["rcpt"].Value);
            Assert.Equal(sampled.Order(StringComparer.Ordinal), shapes.Order(StringComparer.Ordinal));
        }

        // The wave: its servers listed as not to blame, encoded; its targets and hours.
        var wave = pages["/campaign/2026-11-24/backscatter/ours.example"];
        Assert.Contains("<h2>Servers that bounced (3, in 2 networks; a sample of 2)</h2>", wave, StringComparison.Ordinal);
        Assert.Contains("<tr><td>&lt;b&gt;mx&lt;/b&gt;.victim-two.example</td></tr>", wave, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>mx</b>", wave, StringComparison.Ordinal);
        Assert.Contains("<h2>Targets (30: 4 real, 26 made up; a sample of 2)</h2>", wave, StringComparison.Ordinal);
        Assert.Contains("<tr><td>2026-11-24 03:00:00</td><td class=\"num\">20</td><td class=\"num\">5</td></tr>", wave, StringComparison.Ordinal);
    }

    /// <summary>Ingests the sample and the hostile session, detects, runs each of <paramref name="beforeServe"/> (a command's arguments), then serves.</summary>
    private async Task<string> StartAsync(params string[][] beforeServe)
    {
        var data = directory.Combine("data");
        var hostile = directory.Combine("hostile.log");
        await File.WriteAllTextAsync(hostile, HostileLog);
        var ingest = await RelayWatchProcess.RunAsync("--data", data, "ingest", Path.Combine(RepositoryFolders.Samples, "simulated", "logs"), hostile);
        Assert.True(ingest.ExitCode == 0, ingest.Error);
        var detect = await RelayWatchProcess.RunAsync("--data", data, "detect", "--day", "2026-11-24");
        Assert.True(detect.ExitCode == 0, detect.Error);
        foreach (var command in beforeServe)
        {
            var setup = await RelayWatchProcess.RunAsync(["--data", data, .. command]);
            Assert.True(setup.ExitCode == 0, setup.Error);
        }

        var port = Loopback.FreePort();
        serve = RelayWatchProcess.Start(["--data", data, "serve", "--urls", $"http://127.0.0.1:{port}"]);
        if (await RelayWatchProcess.ReadErrorLineStartingAsync(serve, "RelayWatch serve on") is null)
        {
            Assert.Fail("serve ended before it was ready: " + await serve.StandardError.ReadToEndAsync());
        }

        return $"http://127.0.0.1:{port}";
    }

    private static async Task<(string Name, string Value)> TokenAsync(HttpClient http, string url)
    {
        var match = Regex.Match(await http.GetStringAsync(new Uri(url)), "<input type=\"hidden\" name=\"(__RequestVerificationToken)\" value=\"([^\"]+)\">");
        Assert.True(match.Success, $"{url} has no anti-forgery field");
        return (match.Groups[1].Value, WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    [GeneratedRegex("<a href=\"(?<href>/campaign/[^\"]+)\">campaign</a>")]
    private static partial Regex CampaignLink();

    [GeneratedRegex(@"<tr><td><a href=""/ip/[^""]+"">(?<ip>[^<]+)</a></td><td class=""num"">\d+</td><td class=""num"">(?<unknown>\d+)</td>")]
    private static partial Regex MemberRow();

    [GeneratedRegex("name=\"detector\" value=\"open_relay\">\\s*<input type=\"hidden\" name=\"subject\" value=\"(?<subject>[^\"]+)\"")]
    private static partial Regex DismissForm();
}
