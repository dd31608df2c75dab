using System.Globalization;
using System.Text;

namespace RelayWatch.Analysis.Context;

/// <summary>
/// Reads an operator's own network knowledge: CSV (RFC 4180 quoting, so an organisation may hold commas,
/// quotes and line breaks) with the header <c>network,asn,organisation,country</c>. A bad row is refused with
/// a sentence naming its line; nothing is dropped silently, so one bad row fails the whole file.
/// </summary>
public static class NetworkContextCsv
{
    private static readonly string[] Header = ["network", "asn", "organisation", "country"];

    public static IReadOnlyList<NetworkContextRow> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = new List<NetworkContextRow>();
        var errors = new List<string>();
        var first = true;
        foreach (var (line, fields) in Records(reader, name))
        {
            if (first)
            {
                first = false;
                if (!fields.Select(f => f.Trim()).SequenceEqual(Header, StringComparer.OrdinalIgnoreCase))
                {
                    throw new FormatException($"{name} line {line}: the header must be 'network,asn,organisation,country', not '{Shown(string.Join(',', fields))}'.");
                }

                continue;
            }

            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // a blank line, e.g. the last one
            }

            if (Row(fields, out var row) is { } error)
            {
                errors.Add($"{name} line {line}: {error}.");
            }
            else
            {
                rows.Add(row!);
            }
        }

        if (first)
        {
            throw new FormatException($"{name} is empty; it needs the header 'network,asn,organisation,country'.");
        }

        if (errors.Count > 0)
        {
            throw new FormatException(string.Join('\n', errors.Take(20)) + (errors.Count > 20 ? $"\n… and {errors.Count - 20} more bad row(s)" : string.Empty));
        }

        return rows;
    }

    private static string? Row(List<string> fields, out NetworkContextRow? row)
    {
        row = null;
        if (fields.Count != 4)
        {
            return $"has {fields.Count} field(s), not 4 (network,asn,organisation,country)";
        }

        if (!IpNetwork.TryParse(fields[0].Trim(), out var network, out var error))
        {
            return Shown(error);
        }

        var asnText = fields[1].Trim();
        if (asnText.StartsWith("AS", StringComparison.OrdinalIgnoreCase))
        {
            asnText = asnText[2..];
        }

        uint asn = 0;
        if (asnText.Length > 0 && !uint.TryParse(asnText, NumberStyles.None, CultureInfo.InvariantCulture, out asn))
        {
            return $"the AS number '{Shown(fields[1])}' is not a number";
        }

        var country = fields[3].Trim().ToUpperInvariant();
        if (country.Length != 0 && (country.Length != 2 || !country.All(char.IsAsciiLetterUpper)))
        {
            return $"the country '{Shown(fields[3])}' is not a two-letter ISO 3166 code";
        }

        row = new NetworkContextRow(network, asn, fields[2], country);
        return null;
    }

    /// <summary>The records of the file with the line each starts on; a quoted field may span lines.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> Records(TextReader reader, string name)
    {
        var line = 1;
        while (reader.Peek() >= 0)
        {
            var start = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            var wasQuoted = false;
            while (true)
            {
                var c = reader.Read();
                if (c < 0)
                {
                    if (quoted)
                    {
                        throw new FormatException($"{name} line {start}: a quoted field is not closed before the end of the file.");
                    }

                    break;
                }

                if (quoted)
                {
                    if (c == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        line += c == '\n' ? 1 : 0;
                        field.Append((char)c);
                    }

                    continue;
                }

                if (c == '"' && field.Length == 0 && !wasQuoted)
                {
                    quoted = wasQuoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                }
                else if (c == '\r' && reader.Peek() == '\n')
                {
                    continue;
                }
                else if (c == '\n')
                {
                    line++;
                    break;
                }
                else if (wasQuoted)
                {
                    throw new FormatException($"{name} line {line}: text after a closing quote; double a quote inside a quoted field (\"\").");
                }
                else
                {
                    field.Append((char)c);
                }
            }

            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }

    /// <summary>File text in an error sentence: control and direction characters shown as escapes.</summary>
    internal static string Shown(string text)
    {
        var shown = new StringBuilder(Math.Min(text.Length, 80));
        foreach (var c in text.Take(80))
        {
            shown.Append(char.IsControl(c) || NetworkContextText.IsDirectionControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return shown.ToString();
    }
}
