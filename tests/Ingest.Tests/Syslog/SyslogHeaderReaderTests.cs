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
