using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;

namespace RelayWatch.Store.Formats;

/// <summary>
/// Reads ClickHouse's TabSeparated output (no header) as rows of unescaped strings, streaming:
/// only the row being read is held in memory.
/// </summary>
public static class TabSeparatedReader
{
    public static async IAsyncEnumerable<string[]> ReadRowsAsync(PipeReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            while (TryReadLine(ref buffer, out var line))
            {
                yield return ParseLine(line);
            }

            if (read.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    yield return ParseLine(buffer);
                }

                await reader.CompleteAsync().ConfigureAwait(false);
                yield break;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Splits one TabSeparated line into its unescaped fields.</summary>
    public static string[] ParseLine(ReadOnlySequence<byte> line)
    {
        var text = Encoding.UTF8.GetString(line);
        var fields = text.Split('\t');
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = Unescape(fields[i]);
        }

        return fields;
    }

    public static string Unescape(string field)
    {
        if (field.IndexOf('\\', StringComparison.Ordinal) < 0)
        {
            return field;
        }

        var result = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            var c = field[i];
            if (c != '\\' || i + 1 == field.Length)
            {
                result.Append(c);
                continue;
            }

            var next = field[++i];
            result.Append(next switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\b',
                'f' => '\f',
                '0' => '\0',
                _ => next,
            });
        }

        return result.ToString();
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }
}
