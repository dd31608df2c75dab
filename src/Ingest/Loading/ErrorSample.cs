namespace RelayWatch.Ingest.Loading;

/// <summary>A line kept in <c>ingest_errors</c>: why it was not (or not cleanly) read.</summary>
internal sealed record ErrorSample(long Line, string Reason, string Text);
