namespace RelayWatch.Ingest.Tests.Support;

/// <summary>Random damage to a log line (seeded by the caller, so a failure replays), for the parsers' property tests.</summary>
internal static class LineDamage
{
    /// <summary>One to three kinds of damage: truncation, any character (controls and NUL included), deletion, stray punctuation, repeated text, changed digits, overflowing numbers.</summary>
    public static string Mutate(string line, Random random)
    {
        var chars = line.ToCharArray().ToList();
        var damage = random.Next(1, 4);
        for (var d = 0; d < damage && chars.Count > 0; d++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(8))
            {
                case 0: chars.RemoveRange(at, chars.Count - at); break; // truncated
                case 1: chars.Insert(at, (char)random.Next(0, 0x3000)); break; // any character, controls included
                case 2: chars.RemoveAt(at); break;
                case 3: chars[at] = "[]<>:;,=() "[random.Next(11)]; break; // punctuation the templates rely on
                case 4: chars.InsertRange(at, chars.Take(Math.Min(40, chars.Count))); break; // repeated text
                case 5: chars.Insert(at, '\0'); break;
                case 6: chars[at] = char.IsAsciiDigit(chars[at]) ? (char)('0' + random.Next(10)) : chars[at]; break;
                default: chars.InsertRange(at, new string('9', random.Next(1, 30))); break; // overflowing numbers
            }
        }

        return new string([.. chars]);
    }
}
