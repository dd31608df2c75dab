using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Ingest.Tests.Syslog;

public sealed class SyslogHeaderReaderTests
{
    private static readonly TimestampContext Context = new(2023, 12, TimeZoneInfo.Utc);

    [CorpusFact]
    public void TheSpanReaderAgreesWithTheGrammarOnEveryCorpusLine()
    {
        var compared = 0;
        var headers = 0;
        foreach (var file in Directory.EnumerateFiles(Corpora.Root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("LICENSE", StringComparison.Ordinal)))
        {
            foreach (var line in File.ReadLines(file))
            {
                var fast = SyslogHeaderReader.TryRead(line, Context, out var header);
                var reference = SyslogGrammar.TryParse(line, Context);
                Assert.True(fast == reference.WasSuccessful, $"{file}: the reader says {fast}, the grammar {reference.WasSuccessful}: {line}");
                if (fast)
                {
                    Assert.Equal(reference.Value.Timestamp, header.Timestamp);
                    Assert.Equal(reference.Value.Host, line[header.Host]);
                    Assert.Equal(reference.Value.Program, line[header.Program]);
                    Assert.Equal(reference.Value.Pid, header.Pid);
                    Assert.Equal(reference.Value.Message, line[header.MessageStart..]);
                    headers++;
                }

                compared++;
            }
        }

        Assert.True(compared > 50_000, $"only {compared} lines compared");
        Assert.True(headers > 40_000, $"only {headers} syslog headers found");
    }

    [Theory]
    [InlineData("Mar  4 00:00:31 mx1 postfix/smtpd[123]: connect from x", "2023-03-04T00:00:31+00:00", "mx1", "postfix/smtpd", 123, "connect from x")]
    [InlineData("2023-03-14T00:00:31.185246+01:00 helga postfix/postscreen[3163107]: PASS OLD", "2023-03-13T23:00:31.185246+00:00", "helga", "postfix/postscreen", 3163107, "PASS OLD")]
    [InlineData("2023-03-14T00:00:31+0100 mx2 postfix/qmgr[9]: x", "2023-03-13T23:00:31+00:00", "mx2", "postfix/qmgr", 9, "x")]
    [InlineData("<22>Mar 14 10:00:00 mx3 sm-mta[77]: y", "2023-03-14T10:00:00+00:00", "mx3", "sm-mta", 77, "y")]
    [InlineData("<34>1 2023-10-11T22:14:15.003Z mx4 exim 8710 - [meta seq=\"1\"] z", "2023-10-11T22:14:15.003+00:00", "mx4", "exim", 8710, "z")]
    [InlineData("Mar 14 10:00:00 mx5 kernel: no pid", "2023-03-14T10:00:00+00:00", "mx5", "kernel", 0, "no pid")]
    public void HeadersOfEveryAcceptedShapeAreRead(string line, string timestamp, string host, string program, int pid, string message)
    {
        Assert.True(SyslogHeaderReader.TryRead(line, Context, out var header));

        Assert.Equal(DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), header.Timestamp);
        Assert.Equal(host, line[header.Host]);
        Assert.Equal(program, line[header.Program]);
        Assert.Equal(pid, header.Pid);
        Assert.Equal(message, line[header.MessageStart..]);
    }

    /// <summary>
    /// Each variant real files have, one line each (written by us in the shapes syslogd, rsyslog,
    /// syslog-ng, FreeBSD's syslogd -v and Exim's syslog_timestamp produce): read by the span reader
    /// and by the grammar alike. Before, each of these was "no syslog header" and the line was lost.
    /// </summary>
    [Theory]
    [InlineData("Mar 7 02:09:33 mx1 postfix/smtpd[123]: connect from x", "2023-03-07T02:09:33+00:00", "mx1", "postfix/smtpd", 123, "connect from x")]
    [InlineData("Mar 07 02:09:33 mx1 postfix/smtpd[123]: connect from x", "2023-03-07T02:09:33+00:00", "mx1", "postfix/smtpd", 123, "connect from x")]
    [InlineData("Mar 17 02:09:33 <mail.notice> mx1 postfix/smtpd[123]: y", "2023-03-17T02:09:33+00:00", "mx1", "postfix/smtpd", 123, "y")]
    [InlineData("Mar  7 02:09:33 <22> mx1 postfix/smtpd[123]: y", "2023-03-07T02:09:33+00:00", "mx1", "postfix/smtpd", 123, "y")]
    [InlineData("Mar 7 02:09:33 <2.5> mx1 postfix/smtpd[123]: y", "2023-03-07T02:09:33+00:00", "mx1", "postfix/smtpd", 123, "y")]
    [InlineData("<22>Mar 7 02:09:33 mx1 postfix/smtpd[123]: y", "2023-03-07T02:09:33+00:00", "mx1", "postfix/smtpd", 123, "y")]
    [InlineData("Mar  7 02:09:33 postfix/smtpd[123]: warning: x", "2023-03-07T02:09:33+00:00", "", "postfix/smtpd", 123, "warning: x")]
    [InlineData("2023-03-07T02:09:33 postfix/anvil[9]: statistics", "2023-03-07T02:09:33+00:00", "", "postfix/anvil", 9, "statistics")]
    [InlineData("Mar  7 02:09:33 <mail.info> sm-mta[77]: y", "2023-03-07T02:09:33+00:00", "", "sm-mta", 77, "y")]
    [InlineData("2023-03-07T02:09:33.5-05:00 mx1 postfix/qmgr[9]: x", "2023-03-07T07:09:33.5+00:00", "mx1", "postfix/qmgr", 9, "x")]
    [InlineData("2023-03-07 02:09:33 mx1 postfix/qmgr[9]: x", "2023-03-07T02:09:33+00:00", "mx1", "postfix/qmgr", 9, "x")]
    [InlineData("2023-03-07T02:09:33Z mx1 postfix/qmgr[9]: x", "2023-03-07T02:09:33+00:00", "mx1", "postfix/qmgr", 9, "x")]
    [InlineData("<34>1 2023-10-11T22:14:15.003Z - postfix/smtpd 12 - - connect from x", "2023-10-11T22:14:15.003+00:00", "", "postfix/smtpd", 12, "connect from x")]
    [InlineData("<34>1 2023-10-11T22:14:15+02:00 mx4 postfix/smtpd - - [origin ip=\"10.0.0.1\"][meta x=\"]\"] \uFEFFconnect", "2023-10-11T20:14:15+00:00", "mx4", "postfix/smtpd", 0, "connect")]
    [InlineData("Jul 17 23:20:49 mx2 exim[812]: 2021-07-17 23:20:49 1abcDE-000123-Xy <= a@b.example", "2021-07-17T23:20:49+00:00", "mx2", "exim", 812, "1abcDE-000123-Xy <= a@b.example")]
    [InlineData("Jul 17 23:20:49 mx2 exim[812]: 2021-07-17 23:20:49.123 +0200 [812] SMTP connection from [192.0.2.1]", "2021-07-17T21:20:49.123+00:00", "mx2", "exim", 812, "SMTP connection from [192.0.2.1]")]
    [InlineData("2023-03-07T02:09:33+01:00 mx2 exim4[812]: 2023-03-07 02:09:33 no MAIL in SMTP connection", "2023-03-07T02:09:33+00:00", "mx2", "exim4", 812, "no MAIL in SMTP connection")]
    [InlineData("Mar  7 02:09:33 2001:db8:: postfix/smtpd[1]: x", "2023-03-07T02:09:33+00:00", "2001:db8::", "postfix/smtpd", 1, "x")]
    public void EveryVariantRealFilesHaveIsReadByReaderAndGrammarAlike(string line, string timestamp, string host, string program, int pid, string message)
    {
        Assert.True(SyslogHeaderReader.TryRead(line, Context, out var header), "the span reader refused it");
        var reference = SyslogGrammar.TryParse(line, Context);
        Assert.True(reference.WasSuccessful, reference.Message);

        var expected = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, header.Timestamp);
        Assert.Equal(host, line[header.Host]);
        Assert.Equal(program, line[header.Program]);
        Assert.Equal(pid, header.Pid);
        Assert.Equal(message, line[header.MessageStart..]);
        Assert.Equal(new object[] { expected, host, program, pid, message }, new object[] { reference.Value.Timestamp, reference.Value.Host, reference.Value.Program, reference.Value.Pid, reference.Value.Message });
    }

    /// <summary>Lines that look nearly like a variant and are not one: both refuse them, or both read the same header.</summary>
    [Theory]
    [InlineData("Mar  17 02:09:33 mx1 postfix/smtpd[1]: x")]
    [InlineData("Mar 123 02:09:33 mx1 postfix/smtpd[1]: x")]
    [InlineData("Mar 7 02:09:33 <mail.notice.x> mx1 postfix/smtpd[1]: x")]
    [InlineData("Mar 7 02:09:33 <> mx1 postfix/smtpd[1]: x")]
    [InlineData("Mar 7 02:09:33 postfix/smtpd[1]:x")]
    [InlineData("Mar 7 02:09:33 mx1 exim[1]: 2021-02-30 23:20:49 x")]
    [InlineData("Mar 7 02:09:33 mx1 exim[1]: 2021-07-17 23:20:49+0200 x")]
    [InlineData("Mar 7 02:09:33 mx1 exim[1]: 2021-07-17 23:20:49 +02xx x")]
    [InlineData("Mar 7 02:09:33 mx1 exim[1]: 2021-07-17 23:20:49 +1500 x")]
    [InlineData("Mar 7 02:09:33 mx1 exim[1]: 2021-07-17 23:20:49 [12]x")]
    [InlineData("Mar 7 02:09:33 mx1 exim[1]: 2021-07-17 23:20:49.")]
    [InlineData("Mar 7 02:09:33 mx1 exim[1]: 2021-07-17T23:20:49Z +0200 x")]
    [InlineData("9999-12-31T23:59:59-14:00 mx1 postfix/smtpd[1]: x")]
    [InlineData("2023-03-07T02:09:33+15:00 mx1 postfix/smtpd[1]: x")]
    public void NearMissesAreJudgedAlikeByReaderAndGrammar(string line)
    {
        var fast = SyslogHeaderReader.TryRead(line, Context, out var header);
        var reference = SyslogGrammar.TryParse(line, Context);

        Assert.Equal(reference.WasSuccessful, fast);
        if (fast)
        {
            Assert.Equal(reference.Value.Timestamp, header.Timestamp);
            Assert.Equal(reference.Value.Host, line[header.Host]);
            Assert.Equal(reference.Value.Program, line[header.Program]);
            Assert.Equal(reference.Value.Message, line[header.MessageStart..]);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("Foo  4 00:00:31 mx1 postfix/smtpd[1]: x")]
    [InlineData("Feb 30 00:00:31 mx1 postfix/smtpd[1]: x")]
    [InlineData("2023-13-14T00:00:31Z mx1 postfix/smtpd[1]: x")]
    [InlineData("Mar  4 00:00:31 mx1 postfix/smtpd[12x]: x")]
    [InlineData("Mar  4 00:00:31 mx1")]
    [InlineData("\0\0\0binary")]
    public void MalformedHeadersAreRejectedByBoth(string line)
    {
        Assert.False(SyslogHeaderReader.TryRead(line, Context, out _));
        Assert.False(SyslogGrammar.TryParse(line, Context).WasSuccessful);
    }

    [Fact]
    public void ADecemberLineReadInJanuaryBelongsToThePreviousYear()
    {
        var january = new TimestampContext(2024, 1, TimeZoneInfo.Utc);

        Assert.True(SyslogHeaderReader.TryRead("Dec 31 23:59:59 mx1 postfix/qmgr[1]: x", january, out var header));

        Assert.Equal(new DateTimeOffset(2023, 12, 31, 23, 59, 59, TimeSpan.Zero), header.Timestamp);
    }
}
