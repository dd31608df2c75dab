namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// <see cref="ExchangeGrammar.Record"/> read with spans: where each field of a record is, without copying it.
/// The grammar is the reference; a test checks that both read the corpora, the sample and damaged copies of
/// them alike.
/// </summary>
internal static class ExchangeCsv
{
    /// <summary>
    /// Finds the fields of <paramref name="line"/>: false when a quoted field is followed by anything but a
    /// comma. A quote that never closes is no quoting: the field is read bare, as the grammar reads it. Fields
    /// past the room in <paramref name="fields"/> are checked and not kept (no log names that many columns).
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<char> line, Span<ExchangeField> fields, out int count)
    {
        count = 0;
        var at = 0;
        while (true)
        {
            if (at < line.Length && line[at] == '"' && Closes(line[(at + 1)..]))
            {
                var start = at + 1;
                var i = start;
                var escaped = false;
                while (true)
                {
                    i += line[i..].IndexOf('"') + 1;
                    if (i < line.Length && line[i] == '"')
                    {
                        escaped = true;
                        i++;
                        continue;
                    }

                    break;
                }

                Keep(fields, ref count, new ExchangeField(new Range(start, i - 1), escaped));
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
                Keep(fields, ref count, new ExchangeField(new Range(at, line.Length), false));
                return true;
            }

            Keep(fields, ref count, new ExchangeField(new Range(at, at + comma), false));
            at += comma + 1;
        }
    }

    /// <summary>The fields of <paramref name="line"/> as text, unquoted (for the tests and the simulator's checks).</summary>
    public static bool TrySplit(ReadOnlySpan<char> line, List<string> fields)
    {
        fields.Clear();
        var found = new ExchangeField[Math.Max(1, line.Count(',') + 1)];
        if (!TrySplit(line, found, out var count))
        {
            return false;
        }

        foreach (var field in found.AsSpan(0, count))
        {
            fields.Add(field.Text(line));
        }

        return true;
    }

    private static void Keep(Span<ExchangeField> fields, ref int count, ExchangeField field)
    {
        if (count < fields.Length)
        {
            fields[count++] = field;
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
