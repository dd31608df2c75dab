using RelayWatch.Reports.Delivery;
using RelayWatch.Reports.Tests.Support;
using RelayWatch.Tests.Shared;

namespace RelayWatch.Reports.Tests.Delivery;

public sealed class ReportMailerTests(SampleDayFixture sample) : IClassFixture<SampleDayFixture>
{
    [Fact]
    public async Task TheReportArrivesWithTheMarkdownAsBodyAndTheHtmlAttached()
    {
        await using var sink = await SmtpSink.StartAsync();
        var written = await WriteAsync();
        var settings = new ReportMailSettings { Host = "127.0.0.1", Port = sink.Port, Security = "auto", From = "relaywatch@ours.example" };

        await new ReportMailer(settings).SendAsync(SampleDayFixture.Day, written, ["soc@ours.example", "noc@ours.example"], CancellationToken.None);

        var message = Assert.Single(await sink.MessagesAsync());
        Assert.Contains("relaywatch@ours.example", message, StringComparison.Ordinal);
        Assert.Contains("soc@ours.example", message, StringComparison.Ordinal);
        Assert.Contains("noc@ours.example", message, StringComparison.Ordinal);
        Assert.Contains("Subject: RelayWatch daily report 2026-11-24", message, StringComparison.Ordinal);
        Assert.Contains("# RelayWatch daily report", message, StringComparison.Ordinal);
        Assert.Contains("filename=report-2026-11-24.html", message, StringComparison.Ordinal);
        Assert.Contains("filename=report-2026-11-24.json", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatIsNotThereFailsInOneSentenceAndTheFilesStay()
    {
        var written = await WriteAsync();
        var port = Loopback.FreePort();
        var settings = new ReportMailSettings { Host = "127.0.0.1", Port = port, TimeoutSeconds = 5 };

        var failure = await Assert.ThrowsAsync<ReportDeliveryException>(() =>
            new ReportMailer(settings).SendAsync(SampleDayFixture.Day, written, ["soc@ours.example"], CancellationToken.None));

        Assert.StartsWith($"The report could not be mailed through 127.0.0.1:{port} (", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith("); its files are written all the same.", failure.Message, StringComparison.Ordinal);
        Assert.All(written.Files, file => Assert.True(File.Exists(file), file));
    }

    [Fact]
    public async Task ByDefaultTheReportIsNotSentToAServerWithoutStartTls()
    {
        await using var sink = await SmtpSink.StartAsync();
        var written = await WriteAsync();
        var settings = new ReportMailSettings { Host = "127.0.0.1", Port = sink.Port, From = "relaywatch@ours.example" };

        var failure = await Assert.ThrowsAsync<ReportDeliveryException>(() =>
            new ReportMailer(settings).SendAsync(SampleDayFixture.Day, written, ["soc@ours.example"], CancellationToken.None));

        Assert.Equal(
            $"The report was not mailed through 127.0.0.1:{sink.Port} because the server does not offer STARTTLS and reports.mail.security is \"always\" (set it to \"auto\" or \"none\" to send in clear on a network you trust); its files are written all the same.",
            failure.Message);
        Assert.Empty(await sink.MessagesAsync());
    }

    private Task<WrittenReport> WriteAsync() =>
        ReportWriter.WriteAsync(sample.Report, Path.Combine(Path.GetTempPath(), "relaywatch-report-tests", Guid.NewGuid().ToString("N")), ReportWriter.Formats, CancellationToken.None);
}
