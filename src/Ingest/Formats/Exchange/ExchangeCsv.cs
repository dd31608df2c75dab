namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// <see cref="ExchangeGrammar.Record"/> read with spans: the fields of a record, unquoted. The grammar is the
/// reference; a test checks that both read the corpora, the sample and damaged copies of them alike.
/// </summary>
internal static class ExchangeCsv
{
    /// <summary>
    /// Splits <paramref name="line"/> into its fields; false when a quoted field is followed by anything but a
    /// comma. A quote that never closes is no quoting: the field is read bare, as the grammar reads it.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<char> line, List<string> fields)
    {
        fields.Clear();
        var at = 0;
        while (true)
        {
            if (at < line.Length && line[at] == '"' && Closes(line[(at + 1)..]))
            {
                var text = new System.Text.StringBuilder();
                var i = at + 1;
                while (true)
                {
                    var quote = line[i..].IndexOf('"');
                    text.Append(line.Slice(i, quote));
                    i += quote + 1;
                    if (i < line.Length && line[i] == '"')
                    {
                        text.Append('"');
                        i++;
                        continue;
                    }

                    break;
                }

                fields.Add(text.ToString());
                at = i;
                if (at == line.Length)
                {
                    return true;
                }

                if (line[at] != ',')
                {
                    return false;
                }

                at++;
                continue;
            }

            var comma = line[at..].IndexOf(',');
            if (comma < 0)
            {
                fields.Add(line[at..].ToString());
                return true;
            }

            fields.Add(line.Slice(at, comma).ToString());
            at += comma + 1;
        }
    }

    /// <summary>Whether a quoted field's text (after its opening quote) has a closing quote: a quote not doubled.</summary>
    private static bool Closes(ReadOnlySpan<char> rest)
    {
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] != '"')
            {
                continue;
            }

            if (i + 1 < rest.Length && rest[i + 1] == '"')
            {
                i++;
                continue;
            }

            return true;
        }

        return false;
    }
}
