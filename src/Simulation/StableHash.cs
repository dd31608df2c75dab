namespace RelayWatch.Simulation;

/// <summary>
/// FNV-1a over a string's UTF-16 code units: the same number in every process and on every machine
/// (string.GetHashCode differs between processes), for choices that must not move with the seed's
/// random streams — which relay an address prefers, a session's port, an Exim message id.
/// </summary>
internal static class StableHash
{
    public static uint Of32(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    public static ulong Of64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 1099511628211UL);
        }

        return hash;
    }
}
