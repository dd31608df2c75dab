namespace RelayWatch.Store;

/// <summary>Database names go into SQL unquoted, so only plain identifiers are accepted.</summary>
internal static class DatabaseName
{
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= 128
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
