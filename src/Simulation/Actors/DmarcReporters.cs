using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace RelayWatch.Simulation.Actors;

/// <summary>
/// The big receivers elsewhere and their DMARC aggregate reports (RFC 7489) about our domain: one report a
/// day from each receiver that saw mail as us, written under <see cref="Folder"/> as receivers name and send
/// them (<c>receiver!ours.example!begin!end.xml</c>, gzipped by some). What they report:
/// <list type="bullet">
/// <item>our own outbound mail, which all goes to Bigmail (<see cref="OutboundMail"/>): from the public address
/// of the relay the routing sends each message by (the preferred one, the backup during a failover); DKIM and
/// SPF pass — except that the backup's address is missing from the SPF record, so its mail fails SPF, and on
/// the first day of each simulated week a DKIM key rotation on the main relay goes wrong for part of the day:
/// one check fails at the receiver, DMARC still passes (truth <c>outbound_auth_failure</c>);</item>
/// <item>forgers that send as our domain to everyone else and never to us (truth <c>dmarc_forgery</c>,
/// shape <c>elsewhere_only</c>);</item>
/// <item>the day's spoofers of our own domain that the relays also saw (<see cref="SpoofedSender"/>): they
/// spam the big receivers too (truth <c>dmarc_forgery</c>, shape <c>also_on_our_relays</c>);</item>
/// <item>forwarders that pass our users' mail on: SPF fails (their address is not ours), the DKIM signature
/// survives, so DMARC passes — innocent (truth <c>legitimate</c>, sender <c>dmarc_forwarder</c>).</item>
/// </list>
/// Draws from its own random stream, so the logs are the same with or without it.
/// </summary>
internal sealed class DmarcReporters(Estate estate, SpoofedSender spoofers, MxRouting routing, DateOnly firstDay, double scale, int seed, int actorIndex)
{
    /// <summary>The folder under the simulation's output that holds the reports, ready for <c>relaywatch dmarc load</c>.</summary>
    public const string Folder = "dmarc";

    /// <summary>The policy our domain publishes: monitoring only, as most domains start.</summary>
    public const string Policy = "none";

    private static readonly Reporter[] Reporters =
    [
        new("Bigmail Example", "dmarc-noreply@bigmail.example", "bigmail.example", Gzip: true),
        new("Mailhost Example", "noreply-dmarc-support@mailhost.example", "mailhost.example", Gzip: false),
        new("Webmail Example Corp", "dmarc_agg@webmail.example", "webmail.example", Gzip: true),
    ];

    private static readonly (string Ip, string Host)[] Forwarders =
    [
        ("198.51.100.93", "fwd.alumni-forwarding.example"),
        ("2001:db8:f0f::25", "fwd6.alumni-forwarding.example"),
    ];

    private static readonly string[] JunkDomains = ["mail-delivery.example.net", "secure-notify.example.org", "bulk-sender.example.com", "invoice-center.example.net"];

    private readonly List<TruthRecord> truth = [];
    private readonly long[] forwarded = new long[Forwarders.Length];
    private DateTimeOffset? firstWritten;
    private DateTimeOffset lastWritten;

    private sealed record Reporter(string Org, string Email, string Domain, bool Gzip);

    /// <summary>One <c>record</c> of a report: a source, its count and how the receiver evaluated it.</summary>
    private sealed record Row(string Ip, long Count, string Dkim, string Spf, string EnvelopeFrom, string DkimDomain, string DkimResult, string SpfResult);

    /// <summary>Writes the reports about <paramref name="day"/> under <paramref name="output"/>/<see cref="Folder"/>, after the day's sessions were made.</summary>
    public void Write(DateOnly day, string output)
    {
        var random = SimRandom.For(seed, actorIndex, day);
        var (begin, end) = (new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(day.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero));
        firstWritten ??= begin;
        lastWritten = end;
        var rows = Reporters.ToDictionary(r => r, _ => new List<Row>());
        Outbound(day, random, begin, end, rows[Reporters[0]]);
        Forwarded(random, rows);
        ForgersElsewhere(random, begin, end, rows);
        SpoofersSeenByUs(day, random, begin, end, rows);

        var folder = Path.Combine(output, Folder);
        Directory.CreateDirectory(folder);
        foreach (var (reporter, records) in rows.Where(r => r.Value.Count > 0))
        {
            var reportId = string.Create(CultureInfo.InvariantCulture, $"{StableHash.Of64($"{seed}|{reporter.Domain}|{day:yyyy-MM-dd}") % 10_000_000_000_000_000_000UL}");
            var name = string.Create(CultureInfo.InvariantCulture, $"{reporter.Domain}!{estate.Domain}!{begin.ToUnixTimeSeconds()}!{end.ToUnixTimeSeconds()}.xml{(reporter.Gzip ? ".gz" : string.Empty)}");
            using var file = File.Create(Path.Combine(folder, name));
            using var stream = reporter.Gzip ? new GZipStream(file, CompressionLevel.Optimal) : (Stream)file;
            WriteXml(stream, reporter, reportId, begin, end, records);
        }
    }

    public IEnumerable<TruthRecord> Truth()
    {
        for (var i = 0; i < Forwarders.Length; i++)
        {
            if (forwarded[i] > 0)
            {
                yield return new TruthRecord("legitimate", [Forwarders[i].Ip], firstWritten!.Value, lastWritten, [], new Dictionary<string, object>
                {
                    ["sender"] = "dmarc_forwarder", ["host"] = Forwarders[i].Host, ["messages"] = forwarded[i], ["mistyped_recipients"] = 0L,
                });
            }
        }

        foreach (var record in truth)
        {
            yield return record;
        }
    }

    /// <summary>Our outbound mail as Bigmail saw it, from the relays that sent it; on a misconfigured day part of one relay's mail fails SPF or DKIM.</summary>
    private void Outbound(DateOnly day, Random random, DateTimeOffset begin, DateTimeOffset end, List<Row> rows)
    {
        var volume = (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.2 : 1.0) * estate.Growth(day);
        var total = (long)Math.Round(OutboundMail.MessagesPerDayAtScaleOne * scale * volume);
        // Which relay each message leaves by, as the routing sends Domino's outbound mail: the preferred relay,
        // the backup while the preferred site is dark (or the one relay of a --vendor world).
        var sent = Enumerable.Range(0, (int)total).Select(_ => routing.Route(SimRandom.Diurnal(random, day), DominoServer.Ip))
            .GroupBy(r => r, StringComparer.Ordinal).Select(g => (Relay: g.Key, Messages: (long)g.Count())).OrderByDescending(g => g.Messages).ThenBy(g => g.Relay, StringComparer.Ordinal).ToList();

        // Two misconfigurations: a relay that only takes over now and then (the backup, during a failover) was
        // left out of the SPF record, so all it sends fails SPF; and on the first day of each simulated week the
        // main relay's DKIM key rotation goes wrong, and part of its mail (from when the new key went live) fails DKIM.
        var rotation = (day.DayNumber - firstDay.DayNumber) % 7 == 0;
        var share = 0.3 + (0.7 * random.NextDouble());
        foreach (var (relay, messages) in sent.Where(s => s.Messages > 0))
        {
            var ip = SimulatedNetworks.PublicAddress(relay);
            var broken = relay != sent[0].Relay ? "spf" : rotation ? "dkim" : null;
            var failing = broken switch { "spf" => messages, "dkim" => Math.Max(1, (long)Math.Round(messages * share)), _ => 0 };
            if (messages - failing > 0)
            {
                rows.Add(new Row(ip, messages - failing, "pass", "pass", estate.Domain, estate.Domain, "pass", "pass"));
            }

            if (failing > 0)
            {
                rows.Add(broken == "spf"
                    ? new Row(ip, failing, "pass", "fail", estate.Domain, estate.Domain, "pass", "fail")
                    : new Row(ip, failing, "fail", "pass", estate.Domain, estate.Domain, "fail", "pass"));
                truth.Add(new TruthRecord("outbound_auth_failure", [ip], begin, end, [relay], new Dictionary<string, object>
                {
                    ["shape"] = broken == "spf" ? "spf_record_missing_relay" : "dkim_key_broken",
                    ["relay"] = relay, ["failing"] = broken!, ["messages"] = failing, ["of_messages"] = messages, ["reporters"] = new[] { Reporters[0].Org },
                }));
            }
        }
    }

    /// <summary>Our users' mail that a forwarder passed on to another receiver: DKIM survives, SPF fails; DMARC passes.</summary>
    private void Forwarded(Random random, Dictionary<Reporter, List<Row>> rows)
    {
        for (var i = 0; i < Forwarders.Length; i++)
        {
            var messages = random.Next(1, 7);
            forwarded[i] += messages;
            rows[Reporters[1 + (i % 2)]].Add(new Row(Forwarders[i].Ip, messages, "pass", "fail", "alumni-forwarding.example", estate.Domain, "pass", "pass"));
        }
    }

    /// <summary>Forgers that send as our domain elsewhere and never to us.</summary>
    private void ForgersElsewhere(Random random, DateTimeOffset begin, DateTimeOffset end, Dictionary<Reporter, List<Row>> rows)
    {
        var addresses = new SortedSet<string>(StringComparer.Ordinal);
        var wanted = 2 + random.Next(5);
        while (addresses.Count < wanted)
        {
            addresses.Add(random.NextDouble() < 0.6
                ? string.Create(CultureInfo.InvariantCulture, $"198.51.100.{random.Next(140, 148)}")
                : string.Create(CultureInfo.InvariantCulture, $"2001:db8:f0e:{random.Next(1, 0xfff):x}::{random.Next(2, 0xfff):x}"));
        }

        foreach (var ip in addresses)
        {
            Forge(random, ip, begin, end, rows, "elsewhere_only", alsoOnOurRelays: false, maxMessages: 400);
        }
    }

    /// <summary>The day's spoofers of our own domain (not a look-alike, which is another domain's report): they forge us everywhere.</summary>
    private void SpoofersSeenByUs(DateOnly day, Random random, DateTimeOffset begin, DateTimeOffset end, Dictionary<Reporter, List<Row>> rows)
    {
        var today = spoofers.Truth()
            .Where(t => DateOnly.FromDateTime(t.Start.UtcDateTime) == day && t.Detail["look_alike"] is false)
            .Select(t => t.Subjects[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var ip in today)
        {
            Forge(random, ip, begin, end, rows, "also_on_our_relays", alsoOnOurRelays: true, maxMessages: 60);
        }
    }

    private void Forge(Random random, string ip, DateTimeOffset begin, DateTimeOffset end, Dictionary<Reporter, List<Row>> rows, string shape, bool alsoOnOurRelays, int maxMessages)
    {
        var reporters = Reporters.Where(_ => random.NextDouble() < 0.6).ToList();
        if (reporters.Count == 0)
        {
            reporters.Add(SimRandom.Pick(random, Reporters));
        }

        long messages = 0;
        foreach (var reporter in reporters)
        {
            var count = random.Next(1, maxMessages + 1);
            messages += count;
            // Either our domain in the envelope too (SPF fails for it), or a throwaway domain of the forger's
            // (SPF passes for that domain, but it is not aligned with ours).
            var ownEnvelope = random.NextDouble() < 0.5;
            var envelope = ownEnvelope ? estate.Domain : SimRandom.Pick(random, JunkDomains);
            var signed = random.NextDouble() < 0.3;
            rows[reporter].Add(new Row(ip, count, "fail", "fail", envelope, signed ? envelope : string.Empty, signed ? "fail" : "none", ownEnvelope ? "fail" : "pass"));
        }

        truth.Add(new TruthRecord("dmarc_forgery", [ip], begin, end, [], new Dictionary<string, object>
        {
            ["shape"] = shape, ["also_hit_our_relays"] = alsoOnOurRelays, ["messages"] = messages, ["header_from"] = estate.Domain,
            ["reporters"] = reporters.Select(r => r.Org).ToArray(),
        }));
    }

    private void WriteXml(Stream stream, Reporter reporter, string reportId, DateTimeOffset begin, DateTimeOffset end, IReadOnlyList<Row> rows)
    {
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, IndentChars = "  ", NewLineChars = "\n" };
        using var xml = XmlWriter.Create(stream, settings);
        xml.WriteStartDocument();
        xml.WriteStartElement("feedback");
        xml.WriteElementString("version", "1.0");
        xml.WriteStartElement("report_metadata");
        xml.WriteElementString("org_name", reporter.Org);
        xml.WriteElementString("email", reporter.Email);
        xml.WriteElementString("report_id", reportId);
        xml.WriteStartElement("date_range");
        xml.WriteElementString("begin", begin.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        xml.WriteElementString("end", end.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteStartElement("policy_published");
        xml.WriteElementString("domain", estate.Domain);
        xml.WriteElementString("adkim", "r");
        xml.WriteElementString("aspf", "r");
        xml.WriteElementString("p", Policy);
        xml.WriteElementString("sp", Policy);
        xml.WriteElementString("pct", "100");
        xml.WriteEndElement();
        foreach (var row in rows)
        {
            xml.WriteStartElement("record");
            xml.WriteStartElement("row");
            xml.WriteElementString("source_ip", row.Ip);
            xml.WriteElementString("count", row.Count.ToString(CultureInfo.InvariantCulture));
            xml.WriteStartElement("policy_evaluated");
            xml.WriteElementString("disposition", "none");
            xml.WriteElementString("dkim", row.Dkim);
            xml.WriteElementString("spf", row.Spf);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteStartElement("identifiers");
            xml.WriteElementString("header_from", estate.Domain);
            xml.WriteElementString("envelope_from", row.EnvelopeFrom);
            xml.WriteEndElement();
            xml.WriteStartElement("auth_results");
            if (row.DkimDomain.Length > 0)
            {
                xml.WriteStartElement("dkim");
                xml.WriteElementString("domain", row.DkimDomain);
                xml.WriteElementString("selector", "s2026");
                xml.WriteElementString("result", row.DkimResult);
                xml.WriteEndElement();
            }

            xml.WriteStartElement("spf");
            xml.WriteElementString("domain", row.EnvelopeFrom);
            xml.WriteElementString("result", row.SpfResult);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndDocument();
    }
}
