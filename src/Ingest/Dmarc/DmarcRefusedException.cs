namespace RelayWatch.Ingest.Dmarc;

/// <summary>Why one report (not a line of a hot loop: a whole file or attachment) is refused; caught by <see cref="DmarcReportReader"/>.</summary>
internal sealed class DmarcRefusedException(string reason) : Exception(reason);
