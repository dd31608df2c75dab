namespace RelayWatch.Store.Schema;

/// <summary>A statement whose structure was not understood, and why.</summary>
internal sealed record OtherStatement(string Text, string Reason) : MigrationStatement(Text);
