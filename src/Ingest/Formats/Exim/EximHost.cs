namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>A host specification: the verified name (empty when none), the HELO when Exim shows it, and the address.</summary>
internal sealed record EximHost(string Name, string Helo, string Ip)
{
    /// <summary>The name Exim verified; <c>unknown</c> when it shows none, as Postfix logs it.</summary>
    public string VerifiedName => Name.Length > 0 ? Name : "unknown";

    /// <summary>
    /// The HELO of a client in a line written after it: Exim shows <c>(helo)</c> only when it differs
    /// from the verified name, so without it the HELO was that name.
    /// </summary>
    public string HeloOrName => Helo.Length > 0 ? Helo : Name;
}
