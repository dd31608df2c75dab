namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>One record of an Exchange log, its fields found by <see cref="ExchangeCsv"/>, read by column position without copying.</summary>
internal readonly ref struct ExchangeRecord(ReadOnlySpan<char> line, ReadOnlySpan<ExchangeField> fields)
{
    private readonly ReadOnlySpan<char> line = line;
    private readonly ReadOnlySpan<ExchangeField> fields = fields;

    public int Count => fields.Length;

    /// <summary>Whether the field at <paramref name="column"/> holds a doubled quote, so that <see cref="Raw"/> is not its text.</summary>
    public bool IsEscaped(int column) => column >= 0 && column < fields.Length && fields[column].Escaped;

    /// <summary>The field as written (see <see cref="IsEscaped"/>); empty when the header has no such column or the record is short.</summary>
    public ReadOnlySpan<char> Raw(int column) => column >= 0 && column < fields.Length ? fields[column].Raw(line) : [];

    /// <summary>The field's text, unquoted; empty when the header has no such column or the record is short.</summary>
    public string Text(int column) => column >= 0 && column < fields.Length ? fields[column].Text(line) : string.Empty;
}
