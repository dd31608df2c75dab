using System.Text;

namespace RelayWatch.Analysis.Context;

/// <summary>Organisation names are data from a file: shown as plain text on one line, never steering the terminal or the layout.</summary>
public static class NetworkContextText
{
    /// <summary>Unicode characters that reorder the text around them (bidi embeddings, overrides, isolates, marks).</summary>
    public static bool IsDirectionControl(char c) =>
        c is '\u200E' or '\u200F' or '\u061C' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>The text with control and direction characters replaced by a space and runs of spaces collapsed.</summary>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var shown = char.IsControl(c) || IsDirectionControl(c) ? ' ' : c;
            if (shown != ' ' || (line.Length > 0 && line[^1] != ' '))
            {
                line.Append(shown);
            }
        }

        return line.ToString().TrimEnd();
    }

    /// <summary>"AS64500 Example Hosting, NL", "AS64500 Example Hosting", "NL" or empty.</summary>
    public static string Describe(NetworkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parts = new List<string>(2);
        if (context.Asn != 0)
        {
            var organisation = OneLine(context.Organisation);
            parts.Add(organisation.Length == 0
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"AS{context.Asn}")
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"AS{context.Asn} {organisation}"));
        }

        if (context.Country.Length > 0)
        {
            parts.Add(OneLine(context.Country));
        }

        return string.Join(", ", parts);
    }
}
