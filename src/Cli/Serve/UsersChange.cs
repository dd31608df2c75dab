namespace RelayWatch.Cli.Serve;

/// <summary>
/// A change <c>relaywatch serve user|token</c> made to the users file: when (to the millisecond, as the audit trail
/// keeps it), by whom (<c>cli:</c> and the account that ran it), what (<c>user_added</c>, <c>user_changed</c>,
/// <c>user_removed</c>, <c>token_added</c>, <c>token_removed</c>), on which user or relay, and a note (the role).
/// The file keeps them until serve has copied them into the audit trail (<see cref="UsersAudit"/>).
/// </summary>
internal sealed record UsersChange(DateTime At, string By, string Action, string Subject, string Note);
