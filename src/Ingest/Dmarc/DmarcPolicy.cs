namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// The policy the reporter found published for <see cref="Domain"/>. Enumerations are lower case; absent fields
/// are empty, except the alignment modes (RFC 7489 default <c>r</c>) and <see cref="Pct"/> (default 100; RFC 9990 has
/// no pct and <see cref="Testing"/> instead).
/// </summary>
public sealed record DmarcPolicy(string Domain, string Adkim, string Aspf, string P, string Sp, string Np, byte Pct, string Testing);
