using System.Text.Json;
using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Domino;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Simulation.Relays;
using RelayWatch.Simulation.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Simulation.Tests;

public sealed class SimulatorTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("relaywatch-simulation-test-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void TheSameSeedWritesByteIdenticalOutputAndAnotherSeedDoesNot()
    {
        var first = Simulate("a", seed: 7);
        var second = Simulate("b", seed: 7);
        var other = Simulate("c", seed: 8);

        static List<string> Files(SimulationSummary summary) =>
            [.. Directory.EnumerateFiles(summary.Output, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(summary.Output, f)).Order(StringComparer.Ordinal)];
        Assert.Equal(Files(first), Files(second));
        Assert.Contains(Path.Combine("logs", "EDGE1", "RECV2026110100-1.LOG"), Files(first));
        foreach (var file in Files(first))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.Output, file)), File.ReadAllBytes(Path.Combine(second.Output, file)));
        }

        foreach (var file in new[] { "logs/mx1/mail.log", "logs/mx2/mainlog", "logs/domino1/console.log", "truth.jsonl" })
        {
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(first.Output, file)), File.ReadAllBytes(Path.Combine(other.Output, file)));
        }
    }

    [Fact]
    public void EveryLineIsRecognisedByTheIngestGrammarAndTheAttacksAreWhereTheTruthSays()
    {
        var summary = Simulate("recognised", days: 2);
        var rejectedBy = new Dictionary<string, List<string>>();
        var loggedIn = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, line, result) in ReadRelayLogs(summary))
        {
            Assert.True(result.Outcome != LineOutcome.Unrecognised, $"{result.Kind}: {line}");
            if (result.Event is { Event: "message", SaslUser.Length: > 0 } message)
            {
                loggedIn.Add($"{message.ClientIp} {message.SaslUser}");
            }

            if (result.Event is { Event: "rcpt_reject" } e)
            {
                (rejectedBy.TryGetValue(e.ClientIp, out var reasons) ? reasons : rejectedBy[e.ClientIp] = []).Add(e.Reason);
            }
        }

        var truth = Truth(summary);
        string Shape(TruthRecord t) => ((JsonElement)t.Detail["shape"]).GetString()!;
        var harvests = truth.Where(t => t.Kind == "dha" && Shape(t) == "fast").ToList();
        var slowHarvests = truth.Where(t => t.Kind == "dha" && Shape(t).StartsWith("slow", StringComparison.Ordinal)).ToList();
        var botnetHarvests = truth.Where(t => t.Kind == "dha" && Shape(t) == "botnet_dictionary").ToList();
        var probes = truth.Where(t => t.Kind == "relay_probe").ToList();
        Assert.Equal(2, harvests.Count);
        Assert.Equal(["slow_ipv4_24", "slow_ipv6_48"], slowHarvests.Select(Shape).Order());
        Assert.InRange(probes.Count, 2, 4);
        Assert.All(harvests, h => Assert.True(rejectedBy[h.Subjects[0]].Count >= 20 && rejectedBy[h.Subjects[0]].All(r => r == "user_unknown")));
        Assert.All(probes, p => Assert.Equal(["relay_denied", "relay_denied", "relay_denied", "relay_denied"], rejectedBy[p.Subjects[0]]));
        foreach (var slow in slowHarvests)
        {
            // Each member stays below any per-address threshold; together they walk the whole dictionary.
            var members = ((JsonElement)slow.Detail["members"]).EnumerateArray().Select(m => m.GetString()!).ToList();
            Assert.All(members, m => Assert.InRange(rejectedBy[m].Count, 1, 9));
            Assert.Equal(((JsonElement)slow.Detail["attempts"]).GetInt32(), members.Sum(m => rejectedBy[m].Count));
            Assert.All(members, m => Assert.True(System.Net.IPNetwork.Parse(slow.Subjects[0]).Contains(System.Net.IPAddress.Parse(m)), m));
        }

        Assert.Equal(2, botnetHarvests.Count);
        foreach (var botnet in botnetHarvests)
        {
            // Every bot in a /48 of its own, each trying a few recipients, all of them unknown.
            Assert.InRange(botnet.Subjects.Count, 20, 30);
            Assert.Equal(botnet.Subjects.Count, botnet.Subjects.Select(b => Convert.ToHexString(System.Net.IPAddress.Parse(b).GetAddressBytes()[..6])).Distinct().Count());
            Assert.All(botnet.Subjects, b => Assert.True(rejectedBy[b].Count is >= 1 and <= 4 && rejectedBy[b].All(r => r == "user_unknown"), b));
            Assert.Equal(((JsonElement)botnet.Detail["attempts"]).GetInt32(), botnet.Subjects.Sum(b => rejectedBy[b].Count));
        }

        Assert.Equal(2, truth.Count(t => t.Kind == "backscatter"));
        // Two days: a guesser at the relays' submission port each day, and one straight at the exposed Domino server on the first.
        var guessers = truth.Where(t => t.Kind == "auth_bruteforce").ToList();
        Assert.Equal(3, guessers.Count);
        Assert.Single(guessers, t => t.Relays.SequenceEqual(["domino1"]));
        Assert.InRange(truth.Count(t => t.Kind == "spoofing"), 2, 4);
        var botnets = truth.Where(t => t.Kind == "spam_botnet").ToList();
        Assert.Equal(2, botnets.Count);
        Assert.All(botnets.SelectMany(b => b.Subjects).Where(rejectedBy.ContainsKey), bot => Assert.All(rejectedBy[bot], r => Assert.Equal("rbl", r)));
        // The services that send as us log in first, and their mail says so.
        var services = truth.Where(t => t.Kind == "legitimate" && ((JsonElement)t.Detail["sender"]).GetString() == "authenticated_service").ToList();
        Assert.NotEmpty(services);
        Assert.All(services, s => Assert.Contains($"{s.Subjects[0]} {((JsonElement)s.Detail["sasl_user"]).GetString()}", loggedIn));
        foreach (var legitimate in truth.Where(t => t.Kind == "legitimate"))
        {
            // A legitimate sender is refused for its typos (unknown users) and, the first time, deferred by the greylist; nothing else.
            var typos = ((JsonElement)legitimate.Detail["mistyped_recipients"]).GetInt64();
            var greylisted = legitimate.Detail.TryGetValue("greylisted", out var count) ? ((JsonElement)count).GetInt64() : 0;
            var refusals = rejectedBy.GetValueOrDefault(legitimate.Subjects[0]) ?? [];
            Assert.Equal(typos, refusals.Count(r => r == "user_unknown"));
            Assert.Equal(greylisted, refusals.Count(r => r == "other"));
            Assert.Equal(typos + greylisted, refusals.Count);
        }

        Assert.True(truth.Sum(t => t.Detail.TryGetValue("greylisted", out var g) ? ((JsonElement)g).GetInt64() : 0) > 10, "the greylist deferred first contacts");
    }

    [Fact]
    public void LinesAreInTimeOrderAndBouncesGoOnlyToUsersWhoSentMail()
    {
        var summary = Simulate("ordered", days: 2, scale: 0.05);
        var previous = DateTimeOffset.MinValue;
        var lastFile = string.Empty;
        var senders = new HashSet<string>(StringComparer.Ordinal);
        var bounced = new List<string>();
        var ownNotices = new List<string>();
        foreach (var (file, line, result) in ReadRelayLogs(summary))
        {
            if (result.Kind is "released" or "waiting")
            {
                // An event a later line released keeps the time of its own line.
                continue;
            }

            foreach (var e in result.Events)
            {
                // Each relay's log is in time order; the next relay's starts again from the beginning.
                previous = file != lastFile ? DateTimeOffset.MinValue : previous;
                lastFile = file;
                Assert.True(e.Timestamp >= previous, $"{file} goes back in time: {line}");
                previous = e.Timestamp;
                if (e is { Event: "message", ClientIp: "10.20.0.5" })
                {
                    senders.Add(e.MailFrom);
                }

                if (e is { Event: "delivery", ClientIp: "192.0.2.100", MailFrom: "" })
                {
                    // A user who forwards their mail gets the bounce at the outside mailbox; it was addressed to them.
                    bounced.Add(e.OrigRcptTo.Length > 0 ? e.OrigRcptTo : e.RcptTo);
                }

                if (e is { Event: "delivery", MailFrom: "", ClientIp: "" or "::" } && e.NextHop.Contains("[10.20.0.5]", StringComparison.Ordinal))
                {
                    // The relay's own bounce of outbound mail the far side refused, handed to Domino for its sender.
                    ownNotices.Add(e.RcptTo);
                }
            }
        }

        Assert.NotEmpty(bounced);
        Assert.All(bounced, user => Assert.Contains(user, senders));
        Assert.NotEmpty(ownNotices);
        Assert.All(ownNotices, user => Assert.Contains(user, senders));
    }

    [CorpusFact]
    public void EveryKindOfLineTheSimulatorWritesAppearsInARealPostfixLog()
    {
        var summary = Simulate("fidelity");
        var simulated = Kinds(LogFormat.Postfix, File.ReadLines(RelayLog(summary, "mx1")), 2026);
        var real = Kinds(LogFormat.Postfix, RealLog(), 2023);

        Assert.Empty(simulated.Except(real));
    }

    /// <summary>
    /// The Exim relay's lines have the shape of Exim's own: for every kind of line it writes, some line of
    /// that kind in the corpora (Exim's test suite, CrowdSec's samples) has the same fields in the same
    /// order — the words and <c>KEY=</c> tags that are not values, with addresses, ids, numbers and quoted
    /// texts set aside. A week at a larger scale, so that the rare kinds reach the backup relay.
    /// </summary>
    [CorpusFact]
    public void EveryKindOfLineTheEximRelayWritesHasTheShapeOfARealEximLine()
    {
        var summary = Simulate("exim-fidelity", days: 7, scale: 0.1);
        // Exim's test suite writes its test network's first octet as V4NET; an address again, its lines read as the relay's would.
        var real = Shapes(LogFormat.Exim, CorpusFiles("exim-mainlog").SelectMany(File.ReadLines).Select(l => l.Replace("V4NET.", "198.", StringComparison.Ordinal)), 2023);
        var simulated = Merge(Shapes(LogFormat.Exim, File.ReadLines(RelayLog(summary, "mx2")), 2026), ScriptShapes(LogFormat.Exim, "mx2", Shape));

        Assert.Contains(simulated.Keys, k => k.StartsWith("exim.arrival", StringComparison.Ordinal));
        Assert.True(simulated.Count >= 10, $"only {simulated.Count} kinds of Exim line: {string.Join(", ", simulated.Keys)}");
        AssertEveryShapeIsKnown("Exim", simulated, real);
    }

    /// <summary>
    /// The Cisco appliance's lines have the shape of AsyncOS's own (<see cref="EsaShape"/>): for every kind
    /// of line it writes, a line of that kind with the same shape is in the corpora's ESA mail logs
    /// (Elastic's samples: connections, messages, deliveries) or, for the kinds those lack (the access
    /// table's verdicts, TLS, SMTP AUTH, refused recipients, bounces, lost connections), in our
    /// hand-written sample, which follows the examples of Cisco's logging guide.
    /// </summary>
    [CorpusFact]
    public void EveryKindOfLineTheApplianceWritesHasTheShapeOfAnAsyncOsLine()
    {
        var summary = Simulate("esa-fidelity", days: 7, scale: 0.1);
        var real = Shapes(LogFormat.Ironport, CorpusFiles("cisco-esa-mail_logs").SelectMany(File.ReadLines), 2022, EsaShape);
        var guide = Shapes(LogFormat.Ironport, File.ReadLines(Path.Combine(RepositoryFolders.Samples, "ironport", "esa1", "mail_logs")), 2026, EsaShape);
        var simulated = Merge(Shapes(LogFormat.Ironport, File.ReadLines(RelayLog(summary, "esa1")), 2026, EsaShape), ScriptShapes(LogFormat.Ironport, "esa1", EsaShape));

        Assert.True(real.Count >= 8, $"only {real.Count} kinds of real AsyncOS line: {string.Join(", ", real.Keys)}");
        Assert.Subset(simulated.Keys.ToHashSet(), new HashSet<string> { "ironport.hat_reject", "ironport.rcpt_reject", "ironport.auth_failure", "ironport.delivery", "ironport.bounce_message" });
        AssertEveryShapeIsKnown("AsyncOS", simulated, real, guide);
    }

    /// <summary>
    /// The Sendmail relay's lines have the shape of Sendmail's own (<see cref="SendmailShape"/>): for every
    /// kind of line it writes, a line of that kind with the same shape is in the corpora's Sendmail logs
    /// (OSSEC's: the rulesets' refusals, pre-greeting traffic) or, for the kinds those lack (envelopes,
    /// deliveries, DSNs, STARTTLS, AUTH, unknown users, ended connections), in our hand-written sample,
    /// which follows their shapes.
    /// </summary>
    [CorpusFact]
    public void EveryKindOfLineTheSendmailRelayWritesHasTheShapeOfASendmailLine()
    {
        var summary = Simulate("sendmail-fidelity", days: 7, scale: 0.1);
        // OSSEC's samples keep only the program and its message (its decoders' comments indent them); a
        // syslog stamp and host go in front so the grammar reads them as the lines they were cut from.
        var real = Shapes(LogFormat.Sendmail, CorpusFiles("sendmail").Concat(CorpusFiles("OSSEC")).SelectMany(File.ReadLines)
            .Select(l => l.TrimStart(' ', '#', '-'))
            .Select(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^(sm-mta|sendmail)\[\d+\]: ") ? "May 25 12:00:00 mx " + l : l), 2006, SendmailShape);
        var guide = Shapes(LogFormat.Sendmail, File.ReadLines(Path.Combine(RepositoryFolders.Samples, "sendmail", "mx4", "maillog")), 2026, SendmailShape);
        var simulated = Merge(Shapes(LogFormat.Sendmail, File.ReadLines(RelayLog(summary, "mx4")), 2026, SendmailShape), ScriptShapes(LogFormat.Sendmail, "mx4", SendmailShape));

        Assert.True(real.ContainsKey("sendmail.check_rcpt") && real.ContainsKey("sendmail.check_relay"), $"real Sendmail kinds: {string.Join(", ", real.Keys)}");
        Assert.Subset(simulated.Keys.ToHashSet(), new HashSet<string> { "sendmail.from", "sendmail.sent", "sendmail.recipient_error", "sendmail.check_rcpt", "sendmail.check_relay", "sendmail.auth_failure", "sendmail.dsn" });
        AssertEveryShapeIsKnown("Sendmail", simulated, real, guide);
    }

    /// <summary>
    /// The Exchange server's logs have the shape of Exchange's own (<see cref="ExchangeShape"/>): each file
    /// begins with the header lines Exchange writes, its <c>#Fields:</c> naming the columns of a real log of
    /// that type in the corpora (Amazon's Exchange 2013 message tracking sample, the default protocol log
    /// columns of CrowdSec's samples); and every kind of record it writes has the shape of one in the
    /// corpora or, for the kinds those lack (a session's commands and replies, RECEIVE, SEND, FAIL and DSN
    /// rows), in our hand-written sample, written from Microsoft's documentation of the two logs.
    /// </summary>
    [CorpusFact]
    public void EveryKindOfLineTheExchangeServerWritesHasTheShapeOfAnExchangeLine()
    {
        var summary = Simulate("exchange-fidelity", days: 7, scale: 0.1);
        var realFiles = CorpusFiles("exchange-").ToList();
        var real = realFiles.Select(f => Shapes(LogFormat.Exchange, File.ReadLines(f), 2022, ExchangeShape)).ToList();
        var guide = Directory.EnumerateFiles(Path.Combine(RepositoryFolders.Samples, "exchange", "edge1")).Select(f => Shapes(LogFormat.Exchange, File.ReadLines(f), 2026, ExchangeShape)).ToList();
        var files = RelayLogs(summary, "EDGE1").ToList();
        var realFields = realFiles.SelectMany(File.ReadLines).Select(l => l.TrimStart('\uFEFF')).Where(l => l.StartsWith("#Fields: ", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        realFields.Add("#Fields: " + string.Join(",", ["date-time", "connector-id", "session-id", "sequence-number", "local-endpoint", "remote-endpoint", "event", "data", "context"]));

        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("RECV", StringComparison.Ordinal));
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("MSGTRK", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var header = File.ReadLines(file).Take(5).ToList();
            Assert.Equal("#Software: Microsoft Exchange Server", header[0]);
            Assert.Equal(["#Software: ", "#Version: ", "#Log-type: ", "#Date: ", "#Fields: "], header.Select(h => h[..(h.IndexOf(": ", StringComparison.Ordinal) + 2)]));
            Assert.Contains(header[4], realFields);
        }

        var simulated = Merge([.. files.Select(f => Shapes(LogFormat.Exchange, File.ReadLines(f), 2026, ExchangeShape)), ScriptShapes(LogFormat.Exchange, "EDGE1", ExchangeShape)]);
        Assert.Subset(simulated.Keys.ToHashSet(), new HashSet<string> { "exchange.connect", "exchange.rcpt_reject", "exchange.auth_failure", "exchange.receive", "exchange.send", "exchange.fail", "exchange.dsn" });
        // The header lines were held to the corpora's above.
        simulated.Remove("exchange.header");
        AssertEveryShapeIsKnown("Exchange", simulated, [.. real, .. guide]);
    }

    [Fact]
    public void MemoryHoldsOnlyTheSessionsInFlightHoweverManyDays()
    {
        var oneDay = Simulate("one", days: 1, scale: 0.05);
        var fourDays = Simulate("four", days: 4, scale: 0.05);

        Assert.True(fourDays.LinesByFile.Values.Sum() > 3 * oneDay.LinesByFile.Values.Sum());
        Assert.InRange(fourDays.MaxLinesInFlight, 1, 2 * Math.Max(oneDay.MaxLinesInFlight, 50));
    }

    [Fact]
    public void AnOutputFolderThatIsNotEmptyIsRefusedAndNothingIsWritten()
    {
        var output = Path.Combine(directory, "taken");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "mine");

        var error = Assert.Throws<IOException>(() => new Simulator(new SimulationOptions { Output = output }).Run(CancellationToken.None));

        Assert.Equal($"{output} already exists and is not empty; remove it or choose another --out.", error.Message);
        Assert.Equal(["keep.txt"], Directory.GetFiles(output).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(0, 0.01, "--days must be between 1 and 3660, not 0.")]
    [InlineData(1, -1, "--scale must be above 0 and at most 100, not -1.")]
    [InlineData(1, 0.01, "--warmup must be between 0 and 365, not -1.", -1)]
    [InlineData(1, 0.01, "--vendor must be one of postfix, exim, esa, sendmail, exchange, not qmail.", 0, "qmail")]
    public void BadOptionsAreRefusedWithOneSentence(int days, double scale, string message, int warmup = 0, string? vendor = null)
    {
        var error = Assert.Throws<ArgumentException>(() => new Simulator(new SimulationOptions { Days = days, Scale = scale, Warmup = warmup, Vendor = vendor, Output = Path.Combine(directory, "x") }).Run(CancellationToken.None));

        Assert.Equal(message, error.Message);
        Assert.False(Directory.Exists(Path.Combine(directory, "x")));
    }

    /// <summary>
    /// A warm-up is the same world run from earlier: its logs are those of a longer simulation, and
    /// its truth is that simulation's, less what ended before the first day evaluated.
    /// </summary>
    [Fact]
    public void WarmUpDaysAreTheSameWorldRunEarlierWithOnlyTheLaterTruthKept()
    {
        var longer = new Simulator(new SimulationOptions { Output = Path.Combine(directory, "longer"), Seed = 5, Days = 3, Start = new DateOnly(2026, 11, 1) }).Run(CancellationToken.None);
        var warmed = new Simulator(new SimulationOptions { Output = Path.Combine(directory, "warmed"), Seed = 5, Days = 1, Warmup = 2, Start = new DateOnly(2026, 11, 3) }).Run(CancellationToken.None);

        foreach (var file in new[] { "logs/mx1/mail.log", "logs/mx2/mainlog", "logs/domino1/console.log" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(longer.Output, file)), File.ReadAllBytes(Path.Combine(warmed.Output, file)));
        }

        var evaluated = new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.Zero);
        var longerTruth = File.ReadAllLines(Path.Combine(longer.Output, "truth.jsonl"));
        var warmedTruth = File.ReadAllLines(Path.Combine(warmed.Output, "truth.jsonl"));
        static DateTimeOffset End(string line) => JsonDocument.Parse(line).RootElement.GetProperty("end").GetDateTimeOffset();
        Assert.Contains(longerTruth, l => End(l) < evaluated);
        Assert.Equal(longerTruth.Where(l => End(l) >= evaluated), warmedTruth);

        using var description = JsonDocument.Parse(File.ReadAllText(Path.Combine(warmed.Output, "simulation.json")));
        Assert.Equal("2026-11-03", description.RootElement.GetProperty("start").GetString());
        Assert.Equal(1, description.RootElement.GetProperty("days").GetInt32());
        Assert.Equal(2, description.RootElement.GetProperty("warmup").GetInt32());
    }

    /// <summary>With a vendor chosen, its relay takes every session: the other relays' logs stay empty and the truth names no other relay (Domino aside).</summary>
    [Fact]
    public void AChosenVendorsRelayTakesTheWholeWorld()
    {
        var summary = new Simulator(new SimulationOptions { Output = Path.Combine(directory, "exim-only"), Seed = 3, Days = 1, Vendor = "exim", World = SimulationWorld.Harder }).Run(CancellationToken.None);

        Assert.True(summary.LinesByFile[Path.Combine("logs", "mx2", "mainlog")] > 1000);
        Assert.Equal(0, summary.LinesByFile[Path.Combine("logs", "mx1", "mail.log")]);
        Assert.Equal(0, summary.LinesByFile[Path.Combine("logs", "mx4", "mail.log")]);
        Assert.DoesNotContain(summary.LinesByFile.Keys, f => f.Contains("EDGE1", StringComparison.Ordinal));
        var relays = File.ReadLines(Path.Combine(summary.Output, "truth.jsonl"))
            .SelectMany(l => JsonDocument.Parse(l).RootElement.GetProperty("relays").EnumerateArray().Select(r => r.GetString()))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["domino1", "mx2"], relays.Order(StringComparer.Ordinal)); // Domino, behind the relays, is exposed directly too
        Assert.Contains("--vendor exim", File.ReadAllText(Path.Combine(summary.Output, "simulation.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void ACancelledRunLeavesNoFolderBehind()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var output = Path.Combine(directory, "cancelled");

        Assert.Throws<OperationCanceledException>(() => new Simulator(new SimulationOptions { Output = output }).Run(cancelled.Token));

        Assert.Empty(Directory.GetFileSystemEntries(directory, "cancelled*"));
    }

    [Fact]
    public void WhenThePreferredSiteIsDarkEverySessionGoesToTheBackupAndTheTruthSaysWhen()
    {
        var summary = Simulate("failover", days: 4);
        var outage = Assert.Single(Truth(summary), t => t.Kind == "mx_failover");
        var events = ReadRelayLogs(summary).SelectMany(r => r.Result.Events).Where(e => e is { Event: "connect" }).ToList();
        List<DateTimeOffset> Connects(string relay) => [.. events.Where(e => e!.Relay == relay).Select(e => e!.Timestamp)];
        bool During(DateTimeOffset t) => t >= outage.Start && t < outage.End;

        Assert.Equal(new DateOnly(2026, 11, 4), DateOnly.FromDateTime(outage.Start.UtcDateTime));
        Assert.InRange((outage.End - outage.Start).TotalMinutes, 40, 150);
        Assert.Equal(["mx1", "mx2"], outage.Relays);
        Assert.DoesNotContain(Connects("mx1"), During);
        var backup = Connects("mx2");
        Assert.True(backup.Count(During) > 10 * backup.Count(t => t >= outage.Start.AddDays(-1) && t < outage.End.AddDays(-1)),
            "during the outage the backup takes everything, more than ten times its share at that hour the day before");
    }

    private SimulationSummary Simulate(string name, int seed = 1, int days = 1, double scale = 0.02) =>
        new Simulator(new SimulationOptions { Output = Path.Combine(directory, name), Seed = seed, Days = days, Scale = scale }).Run(CancellationToken.None);

    /// <summary>
    /// The Domino server's console log tells the other side of every hand-off: each message a relay
    /// delivered to Domino is received there under the same Message-ID and delivered to as many mail
    /// files as the relay had recipients for it; each recipient Domino refused is one the relay bounced
    /// with Domino's reply; our outbound mail leaves through a Router transfer; and every line is read
    /// by the Domino grammar, in kinds our hand-written sample also has.
    /// </summary>
    [Fact]
    public void DominoLogsTheOtherSideOfEveryHandOff()
    {
        var summary = Simulate("domino", days: 1);
        var relayEvents = ReadRelayLogs(summary).SelectMany(r => r.Result.Events).ToList();
        // Sendmail names the next hop without its port.
        var toDomino = relayEvents.Where(e => e.NextHop.Contains("[10.20.0.5]:2222", StringComparison.Ordinal) || e.NextHop.EndsWith("[10.20.0.5]", StringComparison.Ordinal)).ToList();

        var dominoParser = new DominoParser();
        var console = new LineOrigin(Path.Combine(summary.Output, "logs", "domino1", "console.log"), null, TimestampContext.Utc(2026) with { DateOrder = DateOrder.DayMonthYear });
        var results = File.ReadLines(console.File).Select((l, i) => (Line: l, Result: dominoParser.Parse(l, console, i + 1))).ToList();
        Assert.All(results, r => Assert.True(r.Result.Outcome == LineOutcome.Event, $"{r.Result.Kind}: {r.Line}"));
        var domino = results.Select(r => r.Result.Event!).ToList();

        var handedOn = toDomino.Where(e => e.Event == "delivery").ToList();
        Assert.Equal(handedOn.Select(e => e.MessageId).ToHashSet(), domino.Where(e => e.Event == "message").Select(e => e.MessageId).ToHashSet());
        // A delivery line that names several recipients (Sendmail's to=, the appliance's RIDs, Exchange's SEND) is one event each.
        Assert.All(handedOn, e => Assert.DoesNotContain(',', e.RcptTo));
        Assert.Equal(handedOn.Count, domino.Count(e => e.Event == "delivery" && e.NextHop == "mailbox"));
        Assert.Equal(
            toDomino.Where(e => e.Event == "bounce").Select(e => e.RcptTo).Order(StringComparer.Ordinal),
            domino.Where(e => e.Event == "rcpt_reject").Select(e => e.RcptTo).Order(StringComparer.Ordinal));
        Assert.Equal(relayEvents.Count(e => e.Event == "message" && e.ClientIp == "10.20.0.5"), domino.Count(e => e.Event == "delivery" && e.NextHop.StartsWith("mx", StringComparison.Ordinal)));
        Assert.All(domino.Where(e => e.Event == "message"), e => Assert.Equal(domino.Single(c => c.Event == "connect" && c.SessionId == e.SessionId).ClientIp, e.ClientIp));

        var sampleParser = new DominoParser();
        var sample = Path.Combine(RepositoryFolders.Samples, "domino", "domino1", "console.log");
        var sampleKinds = File.ReadLines(sample).Select((l, i) => sampleParser.Parse(l, console, i + 1).Kind).ToHashSet();
        Assert.Subset(sampleKinds, results.Select(r => r.Result.Kind).ToHashSet());
    }

    /// <summary>
    /// The corpora hold real Domino console lines (nashcom's, of the HTTP task) but none of the SMTP
    /// listener or the Router, whose wording comes from HCL's documentation and public parsers
    /// (docs/corpora.md). What can be held to the real lines is the console's own part: every simulated
    /// line has the prefix shape of theirs — <c>[pid:tid-native]</c> in hex, a dotted day-first date,
    /// the time and three spaces.
    /// </summary>
    [CorpusFact]
    public void DominoConsoleLinesHaveTheRealConsolesPrefix()
    {
        static string Prefix(string line) =>
            System.Text.RegularExpressions.Regex.Replace(line.Length > 55 ? line[..55] : line, "[0-9A-F]", "h");
        var real = File.ReadLines(Path.Combine(RepositoryFolders.Corpora, "nashcom-domino-startscript", "filter-test.log"))
            .Where(l => l.StartsWith('[') && l.Length > 55 && char.IsDigit(l[37])).Select(Prefix).ToHashSet(StringComparer.Ordinal);
        var summary = Simulate("domino-prefix");

        var simulated = File.ReadLines(Path.Combine(summary.Output, "logs", "domino1", "console.log")).Select(Prefix).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(real);
        Assert.Equal(real, simulated);
    }

    private static List<TruthRecord> Truth(SimulationSummary summary) =>
        [.. File.ReadLines(Path.Combine(summary.Output, "truth.jsonl")).Select(l => JsonSerializer.Deserialize<TruthRecord>(l)!)];

    private static HashSet<string> Kinds(LogFormat format, IEnumerable<string> lines, int year)
    {
        var parser = LogFormats.CreateParser(format);
        var origin = new LineOrigin("kinds", null, TimestampContext.Utc(year));
        return [.. lines.Select((l, i) => parser.Parse(l, origin, i + 1)).Where(r => r.Outcome != LineOutcome.Unrecognised).Select(r => r.Kind)];
    }

    /// <summary>Every shape of every kind of line simulated is the shape of a line of that kind in one of the references.</summary>
    private static void AssertEveryShapeIsKnown(string mta, Dictionary<string, HashSet<string>> simulated, params Dictionary<string, HashSet<string>>[] references)
    {
        foreach (var (kind, shapes) in simulated)
        {
            var known = references.SelectMany(r => r.GetValueOrDefault(kind, [])).ToHashSet(StringComparer.Ordinal);
            Assert.True(known.Count > 0, $"no real or documented {mta} line of kind {kind}: {string.Join(" | ", shapes)}");
            Assert.All(shapes, shape => Assert.True(known.Contains(shape), $"{kind}: simulated '{shape}', known ones: {string.Join(" | ", known)}"));
        }
    }

    /// <summary>
    /// The shapes of the lines a relay's writer makes when told every kind of event (<see cref="RelayScript"/>),
    /// so that the lines the actors make only at other relays are held to the real ones too.
    /// </summary>
    private static Dictionary<string, HashSet<string>> ScriptShapes(LogFormat format, string relay, Func<string, string> shape) =>
        Merge([.. RelayScript.Write(relay).Select(f => Shapes(format, f.Lines, 2026, shape))]);

    private static Dictionary<string, HashSet<string>> Merge(params Dictionary<string, HashSet<string>>[] shapes) =>
        shapes.SelectMany(d => d).GroupBy(d => d.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.SelectMany(d => d.Value).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The shapes of recognised lines by kind (<see cref="Shape"/>, or the <paramref name="shape"/> given).</summary>
    private static Dictionary<string, HashSet<string>> Shapes(LogFormat format, IEnumerable<string> lines, int year, Func<string, string>? shape = null)
    {
        shape ??= Shape;
        var parser = LogFormats.CreateParser(format);
        var origin = new LineOrigin("shapes", null, TimestampContext.Utc(year));
        var shapes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (line, i) in lines.Select((l, i) => (l, i)))
        {
            var result = parser.Parse(line, origin, i + 1);
            if (result.Outcome != LineOutcome.Unrecognised)
            {
                (shapes.TryGetValue(result.Kind, out var set) ? set : shapes[result.Kind] = new HashSet<string>(StringComparer.Ordinal)).Add(shape(line));
            }
        }

        return shapes;
    }

    /// <summary>
    /// A line without its values: the stamp and pid dropped; quoted texts, message ids, clients and
    /// servers (<c>name (helo) [address]:port</c>), addresses, <c>KEY=value</c> values and numbers set
    /// aside, an arrival's optional list of recipients dropped; and only the words up to the first colon that ends a phrase (free text follows it, such
    /// as a refusal's reason, which the configuration words).
    /// </summary>
    private static string Shape(string line)
    {
        static string Replace(string text, string pattern, string by) => System.Text.RegularExpressions.Regex.Replace(text, pattern, by);
        var text = Replace(line, @"^\S+ \S+( \[\d+\])? ", string.Empty);
        text = Replace(text, "\"[^\"]*\"", "Q");
        text = Replace(text, @"\b[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}\b", "ID");
        text = Replace(text, @"H=([^ (\[]+ )?(\([^)]*\) )?\[[^\]]*\](:\d+)?", "H=HOST");
        text = Replace(text, @"([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,} )?(\([^)]*\) )?\[[^\]]*\](:\d+)?", "HOST");
        text = Replace(text, @"<[^>\s]*>", "<A>");
        text = Replace(text, @"[^\s<>=]+@[^\s<>]+", "A");
        text = Replace(text, @"\b([A-Za-z]{1,3})=[^ ]*", "$1=V");
        // The ident a client's identd gave (U=, for remote hosts only when rfc1413_hosts asks) is a configuration option.
        text = Replace(text, "(H=V) U=V", "$1");
        text = Replace(text, @"\b\d+\b", "N");
        // The recipients an arrival lists at its end are a log_selector option (received_recipients).
        text = Replace(text, "( for( A)+)$", string.Empty);
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? text : text[..colon];
    }

    /// <summary>
    /// An AsyncOS mail log line without its values: the stamp (the appliance's own or syslog's) and level
    /// dropped; quoted texts, addresses in angle brackets, listeners, client addresses and names, sender
    /// groups and their reputation ranges, countries, TLS versions and ciphers, user names, AUTH
    /// mechanisms and profiles, and numbers set aside. A delivery connection's <c>port</c> is set aside
    /// too: AsyncOS writes it since release 8-something, and the corpora's lines are from older ones.
    /// </summary>
    private static string EsaShape(string line)
    {
        static string Replace(string text, string pattern, string by) => System.Text.RegularExpressions.Regex.Replace(text, pattern, by);
        var text = Replace(line, @"^((<\d+>)?\w{3} +\d+ \d\d:\d\d:\d\d (\S+ )?mail_logs:|\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4}) \w+: ", string.Empty);
        text = Replace(text, "'[^']*'|\"[^\"]*\"", "Q");
        text = Replace(text, @"<[^>\s]*>", "<A>");
        text = Replace(text, @"interface \S+( \([^)]*\))?", "interface L");
        text = Replace(text, @"address \S+", "address IP");
        text = Replace(text, @"reverse dns host \S+ verified \w+", "reverse dns host H verified V");
        text = Replace(text, @" port \d+", string.Empty);
        text = Replace(text, @"SG \S+ match \S+ SBRS (not enabled|\S+)", "SG G match M SBRS S");
        text = Replace(text, "country .*$", "country C");
        text = Replace(text, @"protocol \S+ cipher \S+", "protocol P cipher C");
        text = Replace(text, @"for user: \S+ using AUTH mechanism: \S+ with profile: \S+", "for user: U using AUTH mechanism: M with profile: P");
        text = Replace(text, @"-?\b\d+(\.\d+)*\b", "N");
        return Replace(text, @"\[N(, N)*\]", "[N]");
    }

    /// <summary>
    /// A Sendmail line without its values: the syslog stamp, host and program dropped; queue ids, addresses
    /// in angle brackets (a list of them as one) and every <c>key=value</c>'s value set aside except the
    /// ruleset's name (which says what refused), clients (<c>name [address] (may be forged)</c>), and the
    /// SMTP stage a connection was lost after.
    /// </summary>
    private static string SendmailShape(string line)
    {
        static string Replace(string text, string pattern, string by) => System.Text.RegularExpressions.Regex.Replace(text, pattern, by);
        var text = Replace(line, @"^.*?\b(sm-mta|sendmail|sm-msp-queue)\[\d+\]: (\[ID \d+ [\w.]+\] )?", string.Empty);
        text = Replace(text, @"\b[0-9A-Za-z]{14}: ", "Q: ");
        text = Replace(text, @"<[^>]*>", "<A>");
        text = Replace(text, "<A>(,<A>)+", "<A>");
        text = Replace(text, @"\b(?!ruleset=)(\w+)=[^,]*", "$1=V");
        text = Replace(text, @"to MTA after \w+", "to MTA after STAGE");
        text = Replace(text, @"([A-Za-z0-9][\w-]*\.[\w.-]+ )?\[[^\]]*\]( \(may be forged\))?", "CLIENT");
        return Replace(text, @"\b\d+\b", "N");
    }

    /// <summary>
    /// An Exchange log record without its values. A protocol log line: its event, and the command or
    /// reply it carries with addresses, numbers, hosts, dates, ids and AUTH mechanisms set aside, and its context. A
    /// message tracking row: its event, source and which of its columns are filled in.
    /// </summary>
    private static string ExchangeShape(string line)
    {
        static string Replace(string text, string pattern, string by) => System.Text.RegularExpressions.Regex.Replace(text, pattern, by);
        // Split as ingest splits Exchange's CSV; a line it cannot split keeps its own text as its shape.
        var fields = new List<string>();
        if (!RelayWatch.Ingest.Formats.Exchange.ExchangeCsv.TrySplit(line, fields))
        {
            return line;
        }

        if (fields.Count == 9)
        {
            var data = Replace(fields[7], @"<[^>]*>", "<A>");
            data = Replace(data, @"\[[^\]]*\]", "[X]");
            data = Replace(data, @"ready at .*$", "ready at DATE");
            data = Replace(data, @"^(EHLO|HELO) .*$", "$1 H");
            data = Replace(data, @"^AUTH \S+.*$", "AUTH MECHANISM");
            data = Replace(data, @"\b[\w-]+(\.[\w-]+)+\b", "HOST");
            data = Replace(data, @"\b\d+\b", "N");
            return $"{fields[6]},{data},{fields[8]}";
        }

        return fields.Count >= 27 ? $"{fields[8]},{fields[7]},{string.Concat(fields.Select(f => f.Length > 0 ? 'x' : '-'))}" : line;
    }

    private static IEnumerable<string> CorpusFiles(string formatPrefix) =>
        File.ReadLines(Path.Combine(RepositoryFolders.Corpora, "INDEX.tsv")).Skip(1).Select(l => l.Split('\t'))
            .Where(f => f.Length > 1 && f[1].StartsWith(formatPrefix, StringComparison.Ordinal))
            .Select(f => Path.Combine(RepositoryFolders.Corpora, f[0]));

    private static IEnumerable<string> RealLog() =>
        new[] { "pixelpark-postfix-logsums/mail.log", "digineo-postfix_exporter/mail.log", "inqueue-postfix-ecs-pipeline/mail.log", "crowdsec-hub/postfix-logs/postfix-logs.log" }
            .SelectMany(f => File.ReadLines(Path.Combine(RepositoryFolders.Corpora, f)));

    private static string RelayLog(SimulationSummary summary, string relay) =>
        Path.Combine(summary.Output, "logs", relay, MxRouting.MtaOf(relay).LogFile());

    /// <summary>Every file a relay's logs are in (Exchange writes two logs, a file of each a day).</summary>
    private static IEnumerable<string> RelayLogs(SimulationSummary summary, string relay) =>
        Directory.EnumerateFiles(Path.Combine(summary.Output, "logs", relay)).Order(StringComparer.Ordinal);

    /// <summary>Every line of every relay's logs, mx1 first, each read by the parser of the format ingest detects for its file.</summary>
    private static IEnumerable<(string File, string Line, LineResult Result)> ReadRelayLogs(SimulationSummary summary)
    {
        foreach (var file in MxRouting.Sites.SelectMany(s => Directory.EnumerateFiles(Path.Combine(summary.Output, "logs", s.Relay)).Order(StringComparer.Ordinal)))
        {
            var format = LogFormats.Detect(File.ReadLines(file)) ?? throw new InvalidOperationException($"{file} is in no format ingest knows.");
            var parser = LogFormats.CreateParser(format);
            var origin = new LineOrigin(file, null, TimestampContext.Utc(2026));
            long number = 0;
            foreach (var line in File.ReadLines(file))
            {
                yield return (file, line, parser.Parse(line, origin, ++number));

                // Sendmail names the client of a refused recipient only in a later line: those events come out then, as ingest takes them.
                foreach (var released in parser.TakeReleased())
                {
                    yield return (file, line, new LineResult(LineOutcome.Event, "released", released));
                }
            }

            foreach (var waiting in parser.TakeWaiting(file))
            {
                yield return (file, "(end of file)", new LineResult(LineOutcome.Event, "waiting", waiting));
            }
        }
    }
}
