namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>
/// <see cref="IronportLineKinds"/> grouped by the words that tell AsyncOS's lines apart, so a line is matched
/// against the few kinds that can be its own rather than all of them: its first word and the first word
/// after the ids (<c>MID 6 ICID 5 RID 0 To: …</c> → <c>MID To:</c>; <c>Start MID 6 ICID 5</c> → <c>Start</c>).
/// A kind whose template has a field where the second word would be (<c>ICID {icid} {verdict} SG …</c>) is
/// tried after its first word's group; one that starts with a field, after everything else. Order within a
/// group is the table's.
/// </summary>
internal sealed class IronportKindIndex
{
    private const int MaxKeyLength = 64;

    /// <summary>The labels AsyncOS writes before a number: skipped with the number when looking for a line's words.</summary>
    private static readonly string[] IdLabels = ["ICID", "MID", "DCID", "RID"];

    private readonly Dictionary<string, IronportKind[]> byWords;
    private readonly Dictionary<string, IronportKind[]> byFirstWord;
    private readonly IronportKind[] anyWords;

    public IronportKindIndex(IEnumerable<IronportKind> kinds)
    {
        var words = new Dictionary<string, List<IronportKind>>(StringComparer.Ordinal);
        var first = new Dictionary<string, List<IronportKind>>(StringComparer.Ordinal);
        var any = new List<IronportKind>();
        foreach (var kind in kinds)
        {
            var word = Words(kind.Line.Template.Text, isTemplate: true, out var next);
            if (IsField(word))
            {
                any.Add(kind);
            }
            else if (IsField(next))
            {
                Add(first, word.ToString(), kind);
            }
            else
            {
                Add(words, string.Concat(word, " ", next), kind);
            }
        }

        byWords = words.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        byFirstWord = first.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        anyWords = [.. any];
    }

    /// <summary>The groups of kinds <paramref name="text"/> may be, in the order to try them (at most three).</summary>
    public Candidates For(ReadOnlySpan<char> text)
    {
        var first = Words(text, isTemplate: false, out var next);
        IronportKind[] exact = [];
        if (first.Length + next.Length < MaxKeyLength)
        {
            Span<char> key = stackalloc char[first.Length + 1 + next.Length];
            first.CopyTo(key);
            key[first.Length] = ' ';
            next.CopyTo(key[(first.Length + 1)..]);
            exact = byWords.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var found) ? found : [];
        }

        var byFirst = byFirstWord.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(first, out var group) ? group : [];
        return new Candidates(exact, byFirst, anyWords);
    }

    /// <summary>The first word, and the first word after it that is not an id (a label and its number, or a template's label and field).</summary>
    private static ReadOnlySpan<char> Words(ReadOnlySpan<char> text, bool isTemplate, out ReadOnlySpan<char> next)
    {
        var first = NextWord(text, 0, out var at);
        var word = first;
        if (!IsIdLabel(word))
        {
            word = NextWord(text, at, out at);
        }

        while (IsIdLabel(word))
        {
            var number = NextWord(text, at, out var after);
            var isId = isTemplate ? number.Length > 2 && number[0] == '{' && number[^1] == '}' : IsNumber(number);
            if (!isId)
            {
                break;
            }

            word = NextWord(text, after, out at);
        }

        next = word;
        return first;
    }

    private static ReadOnlySpan<char> NextWord(ReadOnlySpan<char> text, int start, out int end)
    {
        if (start >= text.Length)
        {
            end = text.Length;
            return [];
        }

        var space = text[start..].IndexOf(' ');
        end = space < 0 ? text.Length : start + space + 1;
        return space < 0 ? text[start..] : text.Slice(start, space);
    }

    private static bool IsIdLabel(ReadOnlySpan<char> word)
    {
        foreach (var label in IdLabels)
        {
            if (word.SequenceEqual(label))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNumber(ReadOnlySpan<char> word) => !word.IsEmpty && !word.ContainsAnyExceptInRange('0', '9');

    /// <summary>Whether a template's word is or holds a field (<c>{mid}</c>, <c>lost{_}</c>): a line's word is not known from it.</summary>
    private static bool IsField(ReadOnlySpan<char> word) => word.Contains('{');

    private static void Add(Dictionary<string, List<IronportKind>> groups, string key, IronportKind kind)
    {
        if (!groups.TryGetValue(key, out var group))
        {
            groups[key] = group = [];
        }

        group.Add(kind);
    }

    /// <summary>The kinds a line may be: those of its words, then those of its first word, then those that start with a field.</summary>
    public readonly record struct Candidates(IronportKind[] Exact, IronportKind[] ByFirstWord, IronportKind[] Any);
}
