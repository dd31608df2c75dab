using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Exchange;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Formats.Exchange;

/// <summary>
/// The message tracking log names no login; the receive protocol log does (<c>*,CONTOSO\jdoe,authenticated</c>).
/// A tracking <c>RECEIVE</c> of the <c>SMTP</c> source names the protocol session it came in: its
/// <c>source-context</c> begins with the session's id (an Exchange 2007 field list calls it "the protocol session
/// ID" for the SMTP source; a real row, parsed by a log shipper and posted publicly, reads
/// <c>08D509854059E1CD;2017-11-30T09:13:25.745Z;0</c>) and its <c>connector-id</c> is the receive connector's
/// (<c>SERVER\connector name</c>), as in the protocol log. A message's records take the login of
/// that session — and of no other: not of another session from the same address, not through a Message-ID (which
/// the sender chooses), not when the record names another client. Records written for these tests in the two
/// logs' documented columns and wording.
/// </summary>
public sealed class ExchangeLoginJoinTests
{
    private const string ProtocolHeader = "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context";

    private const string TrackingHeader = "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,"
        + "internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,"
        + "reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data";

    private const string Connector = "EDGE1\\Client EDGE1";

    private readonly ExchangeParser parser = new();
    private readonly LineOrigin protocol = new("EDGE1/RECV2026112400-1.LOG", null, TimestampContext.Utc(2026));
    private readonly LineOrigin tracking = new("EDGE1/MSGTRK2026112400-1.LOG", null, TimestampContext.Utc(2026));
    private int line;

    public ExchangeLoginJoinTests()
    {
        Read(protocol, ProtocolHeader);
        Read(tracking, TrackingHeader);
    }

    [Fact]
    public void AnAuthenticatedSubmissionsMessageCarriesItsLoginOnEveryRecord()
    {
        Session("08DE0A0000000077", "198.51.100.77:50123", "CONTOSO\\jdoe");

        var received = Read(tracking, Receive("08DE0A0000000077", "198.51.100.77", 4001, "m1@ours.example"));
        var sent = Read(tracking, Outcome("SEND", 4001, "a@far.example;b@far.example", "250 2.0.0 OK;250 2.0.0 OK"));
        var failed = Read(tracking, Outcome("FAIL", 4001, "c@far.example", "550 5.1.1 User unknown"));

        Assert.Equal(("message", "198.51.100.77", "CONTOSO\\jdoe"), (received.Event!.Event, received.Event.ClientIp, received.Event.SaslUser));
        Assert.Equal([("delivery", "CONTOSO\\jdoe"), ("delivery", "CONTOSO\\jdoe")], sent.Events.Select(e => (e.Event, e.SaslUser)));
        Assert.Equal(("bounce", "CONTOSO\\jdoe"), (failed.Event!.Event, failed.Event.SaslUser));
    }

    [Fact]
    public void ALoginWhoseConnectWasNotReadIsKeptForItsClientsMessages()
    {
        // A protocol log that begins mid-session: the login's record names the session's client in its remote endpoint.
        Protocol("08DE0A0000000079", "198.51.100.79:50124", "*", "CONTOSO\\jdoe", "authenticated");

        var received = Read(tracking, Receive("08DE0A0000000079", "198.51.100.79", 4002, "m2@ours.example"));
        var otherClient = Read(tracking, Receive("08DE0A0000000079", "198.51.100.80", 4003, "m3@ours.example"));

        Assert.Equal("CONTOSO\\jdoe", received.Event!.SaslUser);
        Assert.Equal(string.Empty, otherClient.Event!.SaslUser);
    }

    [Fact]
    public void TwoInterleavedSessionsFromOneAddressKeepTheirOwnLogins()
    {
        // Three sessions from one NAT address at once: jdoe's, asmith's, and one that never logs in; their records interleave.
        string[] ids = ["08DE0A00000000A1", "08DE0A00000000A2", "08DE0A00000000A3"];
        string[] ports = ["198.51.100.77:50001", "198.51.100.77:50002", "198.51.100.77:50003"];
        foreach (var i in new[] { 0, 1, 2 })
        {
            Protocol(ids[i], ports[i], "+", string.Empty, string.Empty);
        }

        Protocol(ids[1], ports[1], "*", "CONTOSO\\asmith", "authenticated");
        Protocol(ids[2], ports[2], "<", "MAIL FROM:<jdoe@ours.example>", string.Empty);
        Protocol(ids[0], ports[0], "*", "CONTOSO\\jdoe", "authenticated");

        var messages = new[] { (ids[2], 5003L), (ids[0], 5001L), (ids[1], 5002L) }
            .Select(m => Read(tracking, Receive(m.Item1, "198.51.100.77", m.Item2, $"m{m.Item2}@ours.example")).Event!)
            .ToDictionary(e => e.QueueId, e => e.SaslUser);
        foreach (var i in new[] { 2, 0, 1 })
        {
            Protocol(ids[i], ports[i], "-", string.Empty, "Local");
        }

        Assert.Equal("CONTOSO\\jdoe", messages["5001"]);
        Assert.Equal("CONTOSO\\asmith", messages["5002"]);
        Assert.Equal(string.Empty, messages["5003"]);
    }

    [Fact]
    public void ARecordNamingAnotherClientOrConnectorOrNoSmtpSessionTakesNoLogin()
    {
        Session("08DE0A0000000077", "198.51.100.77:50123", "CONTOSO\\jdoe");

        // The session id of jdoe's session, but another client; the same id on another server's connector; the same id from another source.
        var otherClient = Read(tracking, Receive("08DE0A0000000077", "203.0.113.66", 6001, "x1@evil.example"));
        var otherConnector = Read(tracking, Receive("08DE0A0000000077", "198.51.100.77", 6002, "x2@evil.example", connector: "EDGE2\\Client EDGE2"));
        var otherSource = Read(tracking, Receive("08DE0A0000000077", "198.51.100.77", 6003, "x3@evil.example", source: "STOREDRIVER"));

        Assert.All([otherClient, otherConnector, otherSource], r => Assert.Equal(("message", string.Empty), (r.Event!.Event, r.Event.SaslUser)));
    }

    [Fact]
    public void TextAClientSendsCannotNameALogin()
    {
        // A client's EHLO that spells out the authenticated record is quoted in the data column: a command. Were a line
        // broken after a client's text, its tail (the record's fields, without date-time or session) would be no record.
        Protocol("08DE0A00000000C1", "203.0.113.66:40000", "+", string.Empty, string.Empty);
        var ehlo = Read(protocol, $"2026-11-24T09:00:00.000Z,{Connector},08DE0A00000000C1,{line},192.0.2.30:587,203.0.113.66:40000,<,\"EHLO x,*,CONTOSO\\boss,authenticated\",");
        var tail = Read(protocol, "*,CONTOSO\\boss,authenticated");
        var received = Read(tracking, Receive("08DE0A00000000C1", "203.0.113.66", 7001, "spam@evil.example", sender: "boss@ours.example"));

        Assert.Equal("exchange.client_command", ehlo.Kind);
        Assert.Equal(LineOutcome.Unrecognised, tail.Outcome);
        Assert.Equal(string.Empty, received.Event!.SaslUser);
    }

    [Fact]
    public void ANoticeFoundByTheMessageIdItReportsOnTakesNoLogin()
    {
        Session("08DE0A0000000077", "198.51.100.77:50123", "CONTOSO\\jdoe");
        Read(tracking, Receive("08DE0A0000000077", "198.51.100.77", 4001, "m1@ours.example"));

        // A message from elsewhere that reuses jdoe's Message-ID, and the DSN that refers to it: neither is jdoe's.
        var reused = Read(tracking, Receive("08DE0A00000000D1", "203.0.113.66", 8001, "m1@ours.example"));
        var notice = Read(tracking, Row("DSN", string.Empty, string.Empty, string.Empty, 8002, "dsn1@edge1.ours.example", "jdoe@ours.example", string.Empty, "<>", reference: "<m1@ours.example>", source: "DSN"));

        Assert.Equal(string.Empty, reused.Event!.SaslUser);
        Assert.Equal(("ndr_sent", string.Empty), (notice.Event!.Event, notice.Event.SaslUser));
    }

    [Fact]
    public void ATrackingLogReadBeforeItsProtocolLogNamesNoLoginWhichIsWhyFilesAreReadProtocolFirst()
    {
        // The order LogFiles gives a folder of Exchange logs is protocol log first (LogFilesExchangeOrderTests); read the
        // other way round, the message is stored before its session's login is known, and carries none — never a wrong one.
        var received = Read(tracking, Receive("08DE0A0000000077", "198.51.100.77", 4001, "m1@ours.example"));
        Session("08DE0A0000000077", "198.51.100.77:50123", "CONTOSO\\jdoe");
        var sent = Read(tracking, Outcome("SEND", 4001, "a@far.example", "250 2.0.0 OK"));

        Assert.Equal(string.Empty, received.Event!.SaslUser);
        Assert.Equal(string.Empty, sent.Event!.SaslUser);
    }

    [Fact]
    public void AMessageReceivedInOneDaysTrackingLogKeepsItsClientAndLoginInTheNextDays()
    {
        // Exchange starts a tracking log a day (and at a size step): a message received just before midnight is sent in
        // the next file. Another server's folder counts its internal ids on its own, and its message 4001 is another one.
        var nextDay = new LineOrigin("EDGE1/MSGTRK2026112500-1.LOG", null, TimestampContext.Utc(2026));
        var otherServer = new LineOrigin("EDGE2/MSGTRK2026112500-1.LOG", null, TimestampContext.Utc(2026));
        Read(nextDay, TrackingHeader);
        Read(otherServer, TrackingHeader);
        Session("08DE0A0000000077", "198.51.100.77:50123", "CONTOSO\\jdoe");

        Read(tracking, Receive("08DE0A0000000077", "198.51.100.77", 4001, "m1@ours.example"));
        var sent = Read(nextDay, Outcome("SEND", 4001, "a@far.example", "250 2.0.0 OK"));
        var elsewhere = Read(otherServer, Outcome("SEND", 4001, "a@far.example", "250 2.0.0 OK"));

        Assert.Equal(("198.51.100.77", "CONTOSO\\jdoe"), (sent.Event!.ClientIp, sent.Event.SaslUser));
        Assert.Equal((string.Empty, string.Empty), (elsewhere.Event!.ClientIp, elsewhere.Event.SaslUser));
    }

    /// <summary>A protocol session that logs in as <paramref name="account"/>, from connect to its message's DATA.</summary>
    private void Session(string id, string remote, string account)
    {
        Protocol(id, remote, "+", string.Empty, string.Empty);
        Protocol(id, remote, "<", "EHLO laptop", string.Empty);
        Protocol(id, remote, "<", "AUTH LOGIN", string.Empty);
        Protocol(id, remote, "*", "SMTPSubmit SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders", "Set Session Permissions");
        var login = Protocol(id, remote, "*", account, "authenticated");
        Protocol(id, remote, ">", "235 2.7.0 Authentication successful", string.Empty);
        Protocol(id, remote, "<", "MAIL FROM:<jdoe@ours.example>", string.Empty);
        Protocol(id, remote, "-", string.Empty, "Local");
        Assert.Equal("exchange.authenticated", login.Kind);
    }

    private LineResult Protocol(string id, string remote, string what, string data, string context) =>
        Read(protocol, $"2026-11-24T09:00:00.000Z,{Connector},{id},{line},192.0.2.30:587,{remote},{what},{data},{context}");

    private static string Receive(string session, string client, long internalId, string messageId, string connector = Connector, string source = "SMTP", string sender = "jdoe@ours.example") =>
        Row("RECEIVE", client, $"{session};2026-11-24T09:00:00.000Z;0", connector, internalId, messageId, "a@far.example", string.Empty, sender, source: source);

    private static string Outcome(string eventId, long internalId, string recipients, string statuses) =>
        Row(eventId, "192.0.2.30", string.Empty, "Internet", internalId, "m1@ours.example", recipients, statuses, "jdoe@ours.example");

    private static string Row(string eventId, string client, string sourceContext, string connector, long internalId, string messageId, string recipients, string statuses, string sender,
        string reference = "", string source = "SMTP") =>
        string.Join(",",
        [
            "2026-11-24T09:00:01.000Z", client, string.Empty, "192.0.2.30", "EDGE1", sourceContext, $"\"{connector}\"", source, eventId,
            internalId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"<{messageId}>", string.Empty, recipients, statuses, "1200", "1",
            string.Empty, reference, "Hello", sender, sender, string.Empty, "Originating", string.Empty, client, "192.0.2.30", string.Empty,
        ]);

    private LineResult Read(LineOrigin origin, string record) => parser.Parse(record, origin, ++line);
}
