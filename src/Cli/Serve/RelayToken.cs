namespace RelayWatch.Cli.Serve;

/// <summary>A relay's read-only token for the blocklist feed, kept as the SHA-256 of the token (which has 256 random bits).</summary>
internal sealed record RelayToken(string Relay, string TokenHash, DateTime Created);
