namespace RelayWatch.Ingest.Sources;

/// <summary>A file's identity across renames and compression (see <see cref="LogFiles.FingerprintOf"/>): its key, and how many bytes of its start made it.</summary>
/// <param name="Complete">The bytes end at a line's end (or fill the 4 KiB read): more written later will not change the key.</param>
internal sealed record LogFingerprint(string Key, int Bytes, bool Complete);
