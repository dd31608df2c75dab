namespace RelayWatch.Cli.Serve;

/// <summary>A person who may log in to the console: name, role, and the password as ASP.NET Core's PasswordHasher keeps it.</summary>
internal sealed record ConsoleUser(string Name, string Role, string PasswordHash, DateTime Created);
