using RelayWatch.Ingest.Sources;

namespace RelayWatch.Ingest.Tests.Sources;

/// <summary>
/// Exchange's message tracking log takes a message's login from the receive protocol log (ExchangeLoginJoinTests),
/// so a folder's Exchange logs are read by period, and in each period the protocol logs first — whether they lie
/// beside each other or in Exchange's own folders (<c>MessageTracking</c> sorts before <c>ProtocolLog</c>).
/// </summary>
public sealed class LogFilesExchangeOrderTests
{
    [Fact]
    public void InOneFolderEachDaysProtocolLogIsReadBeforeItsTrackingLog()
    {
        string[] found =
        [
            "EDGE1/MSGTRK2026100600-1.LOG", "EDGE1/RECV2026100600-1.LOG", "EDGE1/MSGTRK2026100500-1.LOG",
            "EDGE1/RECV2026100500-2.LOG", "EDGE1/RECV2026100500-1.LOG", "EDGE1/MSGTRK2026100500-2.LOG",
        ];

        Assert.Equal(
            [
                "EDGE1/RECV2026100500-1.LOG", "EDGE1/RECV2026100500-2.LOG", "EDGE1/MSGTRK2026100500-1.LOG", "EDGE1/MSGTRK2026100500-2.LOG",
                "EDGE1/RECV2026100600-1.LOG", "EDGE1/MSGTRK2026100600-1.LOG",
            ],
            LogFiles.OldestFirst(found));
    }

    [Fact]
    public void InExchangesOwnFoldersTheDailyAndHourlyNamesAreOrderedByPeriodAndOtherLogsComeFirst()
    {
        string[] found =
        [
            "Logs/MessageTracking/MSGTRK20261005-1.LOG", "Logs/MessageTracking/MSGTRKMD2026100509-1.LOG",
            "Logs/ProtocolLog/SmtpReceive/RECV2026100509-1.LOG", "Logs/ProtocolLog/SmtpReceive/RECV20261005-1.LOG",
            "mx1/mail.log", "mx1/mail.log.1",
        ];

        Assert.Equal(
            [
                "mx1/mail.log.1", "mx1/mail.log",
                "Logs/ProtocolLog/SmtpReceive/RECV20261005-1.LOG", "Logs/MessageTracking/MSGTRK20261005-1.LOG",
                "Logs/ProtocolLog/SmtpReceive/RECV2026100509-1.LOG", "Logs/MessageTracking/MSGTRKMD2026100509-1.LOG",
            ],
            LogFiles.OldestFirst(found));
    }
}
