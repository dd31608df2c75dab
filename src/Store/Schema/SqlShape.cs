namespace RelayWatch.Store.Schema;

/// <summary>
/// The top level of one SQL statement: which characters are code outside literals, comments and
/// brackets. <see cref="Masked"/> is the statement with everything else replaced by <c>#</c>, so that
/// a keyword search over it finds only top-level keywords, at the same positions as in <see cref="Text"/>.
/// </summary>
internal sealed class SqlShape
{
    private const char Hidden = '#';
    private readonly int[] depth;
    private readonly bool[] code;

    public SqlShape(string text)
    {
        Text = text;
        depth = new int[text.Length];
        code = new bool[text.Length];
        var level = 0;
        var masked = text.ToCharArray();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\'' or '"' or '`')
            {
                var end = EndOfQuoted(text, i);
                for (var j = i; j <= end; j++)
                {
                    depth[j] = level;
                    masked[j] = Hidden;
                }

                i = end;
                continue;
            }

            if ((c == '-' && Next(text, i) == '-') || (c == '/' && Next(text, i) == '*'))
            {
                var end = c == '-' ? EndOfLine(text, i) : EndOfBlockComment(text, i);
                for (var j = i; j <= end; j++)
                {
                    depth[j] = level;
                    masked[j] = ' ';
                }

                i = end;
                continue;
            }

            if (c is '(' or '[')
            {
                depth[i] = level++;
            }
            else if (c is ')' or ']')
            {
                level = Math.Max(0, level - 1);
                depth[i] = level;
            }
            else
            {
                depth[i] = level;
            }

            code[i] = true;
            if (depth[i] > 0)
            {
                masked[i] = Hidden;
            }
        }

        Masked = new string(masked);
        Balanced = level == 0;
    }

    public string Text { get; }

    /// <summary>The text with literals, comments and the inside of brackets hidden; top-level brackets stay.</summary>
    public string Masked { get; }

    /// <summary>Whether every bracket is closed.</summary>
    public bool Balanced { get; }

    /// <summary>The index of the bracket that closes the one at <paramref name="open"/>, or -1.</summary>
    public int Closing(int open)
    {
        for (var i = open + 1; i < Text.Length; i++)
        {
            if (code[i] && Text[i] is ')' or ']' && depth[i] == depth[open])
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Splits <paramref name="start"/>..<paramref name="end"/> at its top-level commas (relative to that range's own brackets).</summary>
    public List<string> SplitAtCommas(int start, int end)
    {
        var parts = new List<string>();
        var from = start;
        var level = start < Text.Length ? depth[start] : 0;
        for (var i = start; i < end; i++)
        {
            if (code[i] && Text[i] == ',' && depth[i] == level)
            {
                parts.Add(Text[from..i].Trim());
                from = i + 1;
            }
        }

        parts.Add(Text[from..end].Trim());
        return parts;
    }

    private static char Next(string text, int i) => i + 1 < text.Length ? text[i + 1] : '\0';

    private static int EndOfQuoted(string text, int open)
    {
        var quote = text[open];
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                if (Next(text, i) != quote)
                {
                    return i;
                }

                i++;
            }
        }

        return text.Length - 1;
    }

    private static int EndOfLine(string text, int start)
    {
        var end = text.IndexOf('\n', start);
        return end < 0 ? text.Length - 1 : end - 1;
    }

    private static int EndOfBlockComment(string text, int start)
    {
        var end = text.IndexOf("*/", start + 2, StringComparison.Ordinal);
        return end < 0 ? text.Length - 1 : end + 1;
    }
}
