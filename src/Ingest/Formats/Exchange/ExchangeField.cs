namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>Where one field of an Exchange record is: the text between its quotes when quoted, and whether a doubled quote in it stands for one.</summary>
internal readonly record struct ExchangeField(Range Range, bool Escaped)
{
    /// <summary>The field as written between its quotes; a doubled quote is still doubled (see <see cref="Text"/>).</summary>
    public ReadOnlySpan<char> Raw(ReadOnlySpan<char> line) => line[Range];

    /// <summary>The field's text, unquoted.</summary>
    public string Text(ReadOnlySpan<char> line) =>
        Escaped ? line[Range].ToString().Replace("\"\"", "\"", StringComparison.Ordinal) : line[Range].ToString();
}
