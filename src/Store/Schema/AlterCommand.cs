namespace RelayWatch.Store.Schema;

/// <summary>One comma-separated command of an ALTER TABLE statement, as written.</summary>
internal sealed record AlterCommand(AlterCommandKind Kind, string Text);
