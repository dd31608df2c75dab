namespace RelayWatch.Ingest.Sources;

/// <summary>A file to read, and whether it was found in a folder rather than named on the command line.</summary>
/// <param name="InFolder">
/// Found by searching a folder (<c>/var/log</c>): a file there that is no mail log is passed over with a note.
/// A file named explicitly, or by a glob, must be one: its unknown format is an error.
/// </param>
internal sealed record LogFileTarget(string Path, bool InFolder);
