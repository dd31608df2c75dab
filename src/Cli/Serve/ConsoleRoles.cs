namespace RelayWatch.Cli.Serve;

/// <summary>
/// What a console user may do: a viewer reads; an analyst also labels, dismisses and approves; an admin also
/// manages users and jobs. <see cref="Relay"/> is not a person's role: a relay's token reads the blocklist feed only.
/// </summary>
internal static class ConsoleRoles
{
    public const string Viewer = "viewer";
    public const string Analyst = "analyst";
    public const string Admin = "admin";
    public const string Relay = "relay";

    /// <summary>The roles a person may be given, weakest first.</summary>
    public static IReadOnlyList<string> People { get; } = [Viewer, Analyst, Admin];

    /// <summary>The authorisation policies serve's endpoints require.</summary>
    public const string ReadPolicy = "read";
    public const string ActPolicy = "act";
    public const string AdminPolicy = "admin";
    public const string FeedPolicy = "feed";
}
