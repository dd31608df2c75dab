namespace RelayWatch.Ingest.Tests.Support;

/// <summary>Random damage to a log line (seeded by the caller, so a failure replays), for the parsers' property tests.</summary>
internal static class LineDamage
{
    /// <summary>
    /// Address texts that a lax reader takes for another address than the one written (<c>"12"</c> is 0.0.0.12 to
    /// <see cref="System.Net.IPAddress.TryParse(string?, out System.Net.IPAddress?)"/>), or that have a canonical
    /// form other than their spelling: a parser must refuse them or store the canonical address.
    /// </summary>
    public static readonly string[] NearAddresses = ["12", "192.0.2", "1.2.3.4.5", "::ffff:1.2.3.4", "2001:db8::1%eth0", "2001:DB8::0:1", "010.0.0.1", "IPv6:2001:db8::1"];

    /// <summary>
    /// One to three kinds of damage: truncation, any character (controls and NUL included), deletion, stray
    /// punctuation, repeated text, changed digits, overflowing numbers, an address replaced by a near-address.
    /// </summary>
    public static string Mutate(string line, Random random)
    {
        var chars = line.ToCharArray().ToList();
        var damage = random.Next(1, 4);
        for (var d = 0; d < damage && chars.Count > 0; d++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(9))
            {
                case 0: chars.RemoveRange(at, chars.Count - at); break; // truncated
                case 1: chars.Insert(at, (char)random.Next(0, 0x3000)); break; // any character, controls included
                case 2: chars.RemoveAt(at); break;
                case 3: chars[at] = "[]<>:;,=() "[random.Next(11)]; break; // punctuation the templates rely on
                case 4: chars.InsertRange(at, chars.Take(Math.Min(40, chars.Count))); break; // repeated text
                case 5: chars.Insert(at, '\0'); break;
                case 6: chars[at] = char.IsAsciiDigit(chars[at]) ? (char)('0' + random.Next(10)) : chars[at]; break;
                case 7: chars.InsertRange(at, new string('9', random.Next(1, 30))); break; // overflowing numbers
                default: chars = [.. ReplaceAnAddress(new string([.. chars]), NearAddresses[random.Next(NearAddresses.Length)])]; break;
            }
        }

        return new string([.. chars]);
    }

    /// <summary>The line with its first address (a run of address characters holding a dot or two colons) replaced.</summary>
    private static string ReplaceAnAddress(string line, string replacement)
    {
        for (var start = 0; start < line.Length; start++)
        {
            var end = start;
            while (end < line.Length && (char.IsAsciiHexDigit(line[end]) || line[end] is '.' or ':'))
            {
                end++;
            }

            var run = line[start..end];
            if (run.Length >= 7 && (run.Count(c => c == '.') == 3 || run.Count(c => c == ':') >= 2) && run.Any(char.IsAsciiDigit))
            {
                return string.Concat(line.AsSpan(0, start), replacement, line.AsSpan(end));
            }

            start = end;
        }

        return line;
    }
}
