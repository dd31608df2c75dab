namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>A host specification: the verified name (empty when none), the HELO when Exim shows it, and the address.</summary>
internal sealed record EximHost(string Name, string Helo, string Ip);
