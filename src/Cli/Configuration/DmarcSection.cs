using RelayWatch.Ingest.Dmarc;

namespace RelayWatch.Cli.Configuration;

/// <summary>The <c>dmarc</c> section: the mailbox <c>relaywatch dmarc fetch</c> reads (docs/configuration.md, "dmarc").</summary>
internal sealed class DmarcSection
{
    public DmarcImapSettings Imap { get; set; } = new();
}
