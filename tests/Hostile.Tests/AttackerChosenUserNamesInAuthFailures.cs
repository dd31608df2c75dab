using RelayWatch.Ingest.Events;
using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Syslog;

namespace RelayWatch.Hostile.Tests;

/// <summary>
/// A password guesser chooses the user name it tries, and Sendmail logs it as it came:
/// <c>AUTH failure (LOGIN): … SASL(-13): …, user=NAME, relay=host [ip]</c>. A name shaped like the fields
/// around it (<c>admin, user=root</c>, <c>x, relay=[ip]</c>) must be recorded whole, as the guesser sent it,
/// and must not move the client: the user is what follows the <c>, user=</c> Sendmail writes (the first)
/// up to the <c>, relay=</c> it writes last. Lines written for this test in Sendmail's wording.
/// </summary>
public sealed class AttackerChosenUserNamesInAuthFailures
{
    [Theory]
    [InlineData("admin, user=root", "203.0.113.9")]
    [InlineData("x, user=y, relay=[192.0.2.44]", "203.0.113.9")]
    [InlineData("user=postmaster", "203.0.113.9")]
    [InlineData("info@ours.example", "203.0.113.9")]
    public void TheUserIsTheNameTheGuesserSentWhole(string user, string clientIp)
    {
        var line = $"Nov 24 10:00:00 mx4 sm-mta[4305]: 4AOA0005004305: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user={user}, relay=dsl.example.net [{clientIp}] (may be forged)";
        var parser = LogFormats.CreateParser(LogFormat.Sendmail);

        var result = parser.Parse(line, new LineOrigin("maillog", "mx4", TimestampContext.Utc(2026)), 1);

        Assert.Equal(LineOutcome.Event, result.Outcome);
        var smtp = Assert.IsType<SmtpEvent>(result.Event);
        Assert.Equal((EventNames.AuthFailure, clientIp, user), (smtp.Event, smtp.ClientIp, smtp.SaslUser));
    }
}
