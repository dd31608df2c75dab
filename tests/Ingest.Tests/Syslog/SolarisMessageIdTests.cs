using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Ingest.Tests.Syslog;

/// <summary>
/// Solaris syslogd writes a message id with the facility and level after the tag: <c>postfix/smtpd[14020]: [ID 197553
/// mail.info] connect from …</c>. Before, every such line of a Solaris relay was unrecognised.
/// </summary>
public sealed class SolarisMessageIdTests
{
    private static readonly TimestampContext Context = new(2023, 12, TimeZoneInfo.Utc);

    [Theory]
    [InlineData("Oct  5 23:45:10 mailrouter postfix/smtpd[14020]: [ID 197553 mail.info] connect from unknown[203.0.113.63]", "mailrouter", "postfix/smtpd", 14020, "connect from unknown[203.0.113.63]")]
    [InlineData("Oct  5 23:45:11 mailrouter postfix/master[657]: [ID 947731 mail.warning] warning: process /usr/lib/postfix/smtpd pid 14020 exit status 1", "mailrouter", "postfix/master", 657, "warning: process /usr/lib/postfix/smtpd pid 14020 exit status 1")]
    [InlineData("Oct  5 23:45:11 sm-mta[657]: [ID 801593 mail.notice] x", "", "sm-mta", 657, "x")]
    [InlineData("Oct  5 23:45:11 mx1 sendmail[1]: [ID 801593 mail.info]", "mx1", "sendmail", 1, "")]
    public void TheMessageStartsAfterTheMessageIdForReaderAndGrammarAlike(string line, string host, string program, int pid, string message)
    {
        Assert.True(SyslogHeaderReader.TryRead(line, Context, out var header), "the span reader refused it");
        var reference = SyslogGrammar.TryParse(line, Context);
        Assert.True(reference.WasSuccessful, reference.Message);

        Assert.Equal((host, program, pid, message), (line[header.Host].ToString(), line[header.Program].ToString(), header.Pid, line[header.MessageStart..].ToString()));
        Assert.Equal((host, program, pid, message), (reference.Value.Host, reference.Value.Program, reference.Value.Pid, reference.Value.Message));
    }

    /// <summary>Text that only looks like a message id is the message, for both.</summary>
    [Theory]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID x mail.info] y")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID 1 mail] y")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID 1 .info] y")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID 1 mail.] y")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID 1 mail.info.x] y")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID 1 mail.info]y")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID  1 mail.info] y")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID 1 ma il.info] y")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID 1 mail.info")]
    [InlineData("Oct  5 23:45:10 mx1 postfix/smtpd[1]: [ID ١ mail.info] y")]
    public void NearMissesStayInTheMessageForReaderAndGrammarAlike(string line)
    {
        Assert.True(SyslogHeaderReader.TryRead(line, Context, out var header));
        var reference = SyslogGrammar.TryParse(line, Context);

        Assert.True(reference.WasSuccessful, reference.Message);
        Assert.StartsWith("[ID ", line[header.MessageStart..].ToString(), StringComparison.Ordinal);
        Assert.Equal(reference.Value.Message, line[header.MessageStart..].ToString());
    }

    /// <summary>The line above, in the wording of a Solaris mail relay's log quoted in a package's notes (Spec Files Extra, SFEdovecot.spec; the address is ours), is a connect of its client.</summary>
    [Fact]
    public void ASolarisPostfixLineIsAnEventForItsClient()
    {
        var result = new PostfixParser().Parse("Oct  5 23:45:10 mailrouter postfix/smtpd[14020]: [ID 197553 mail.info] connect from unknown[203.0.113.63]", new LineOrigin("mail.log", null, TimestampContext.Utc(2026)), 1);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        Assert.Equal((EventNames.Connect, "203.0.113.63", "mailrouter"), (result.Event!.Event, result.Event.ClientIp, result.Event.Relay));
    }
}
