using RelayWatch.Ingest.Formats;
using RelayWatch.Ingest.Formats.Postfix;
using RelayWatch.Ingest.Syslog;
using RelayWatch.Ingest.Tests.Support;
using Xunit.Abstractions;

namespace RelayWatch.Ingest.Tests.Formats.Postfix;

public sealed class PostfixCorporaTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("pixelpark-postfix-logsums/mail.log", 2023)]
    [InlineData("digineo-postfix_exporter/mail.log", 2020)]
    [InlineData("inqueue-postfix-ecs-pipeline/mail.log", 2020)]
    [InlineData("crowdsec-hub/postfix-logs/postfix-logs.log", 2020)]
    public void EveryPostfixLineOfARealLogIsRecognised(string file, int year)
    {
        var parser = new PostfixParser();
        var origin = new LineOrigin(file, null, TimestampContext.Utc(year));
        var unrecognised = new List<string>();
        var outcomes = new Dictionary<LineOutcome, int>();
        long number = 0;
        foreach (var line in Corpora.Lines(file))
        {
            var result = parser.Parse(line, origin, ++number);
            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            if (result.Outcome == LineOutcome.Unrecognised)
            {
                unrecognised.Add($"{result.Kind}: {line}");
            }
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}")));
        foreach (var line in unrecognised.Take(40))
        {
            output.WriteLine(line);
        }

        Assert.Empty(unrecognised);
    }
}
