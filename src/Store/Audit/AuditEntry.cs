namespace RelayWatch.Store.Audit;

/// <summary>One row of <c>console_audit</c>: who did what, when, to what, and why.</summary>
public sealed record AuditEntry(DateTime At, string Actor, string Role, string Action, string Subject, string Note, string Remote);
