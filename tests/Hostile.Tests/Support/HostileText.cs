using System.Globalization;
using System.Net;
using System.Text;

namespace RelayWatch.Hostile.Tests.Support;

/// <summary>
/// Generated attacker text from a fixed seed: mixed scripts, bidi controls, every quote character
/// PowerShell, a shell or a CSV reader knows, CR/LF/NUL and the other line breaks, lone surrogates,
/// the syntax of every export format, and now and then a 64 KiB field. Also subjects: real public
/// addresses and networks of every width, and text that is almost an address.
/// </summary>
internal sealed class HostileText(int seed)
{
    public const int LongField = 64 * 1024;

    private static readonly string[] Pieces =
    [
        // Quotes: ASCII, the four PowerShell single quotes, the double ones, guillemets, full width.
        "'", "\"", "`", "\u2018", "\u2019", "\u201A", "\u201B", "\u201C", "\u201D", "\u201E", "\u201F", "\u2039", "\u203A", "\u00AB", "\u00BB", "\uFF07", "\uFF02",
        // Line breaks and controls.
        "\r", "\n", "\r\n", "\0", "\u0085", "\u2028", "\u2029", "\t", "\v", "\f", "\u001B[31m", "\u007F",
        // Bidi and invisible format characters.
        "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C", "\uFEFF", "\u200B",
        // Characters whose UTF-8 bytes include 0x91-0x94, quotes in Windows-1252; and those code points themselves.
        "\u0451", "\u0452", "\u0453", "\u0454", "\u0091", "\u0092", "\u0093", "\u0094",
        // Lone surrogates and a real pair.
        "\uD800", "\uDC00", "\uD83D\uDE00",
        // Mixed scripts.
        "\u0416\u0443\u043A", "\u4E2D\u6587", "\u05E2\u05D1\u05E8\u05D9\u05EA", "\u0627\u0644\u0639\u0631\u0628\u064A\u0629", "\uFF46\uFF55\uFF4C\uFF4C", "e\u0301",
        // The syntax of PowerShell, shells, spreadsheets and every export format.
        "$(", ")", "${", "}", "{", ";", "#", "|", "&", "\\", "/", ":", "%", "[", "]", ",", "=", "+", "-", "@", "<", ">",
        "iex ", "Start-Process calc", " REJECT ", " OK", " permit", "0.0.0.0/0", "::/0", "$DATASET ip4set @", ":127.0.0.2:", "!",
        "elements = { 0.0.0.0/0 }", "}\n}\ntable inet x {", "Connect:", "=HYPERLINK(\"x\")", "-Comment '", "'@\n", "@'",
        "helo.example", "<user%other@ours.example>", "\"user@other\"@ours.example",
    ];

    private readonly Random random = new(seed);

    /// <summary>A hostile string: usually up to 24 pieces, one in twenty a field of at least 64 KiB.</summary>
    public string Next()
    {
        var text = new StringBuilder();
        var target = random.Next(20) == 0 ? LongField : 0;
        var pieces = random.Next(25);
        while (text.Length < target || pieces-- > 0)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return text.ToString();
    }

    /// <summary>A subject as a finding or an analyst might give it: mostly real, sometimes bent.</summary>
    public string NextSubject() => random.Next(10) switch
    {
        < 4 => Network(4),
        < 7 => Network(6),
        7 => "::ffff:" + Network(4, single: true),
        8 => random.Next(3) switch
        {
            0 => "fe80::1%" + Next(),
            1 => " " + Network(4) + "\n",
            _ => Network(4, single: true) + "/32",
        },
        _ => Next(),
    };

    /// <summary>A public-looking address or network of any width, written canonically.</summary>
    private string Network(int family, bool single = false)
    {
        var bytes = new byte[family == 4 ? 4 : 16];
        random.NextBytes(bytes);
        // Keep clear of the special space the guard refuses anyway, so most subjects get published.
        bytes[0] = family == 4 ? (byte)random.Next(11, 99) : (byte)0x20;
        int[] widths = family == 4 ? [32, 32, 32, 24, 24, 20, 16, 12, 8] : [128, 128, 64, 56, 48, 40, 32, 24, 16];
        var length = single ? bytes.Length * 8 : widths[random.Next(widths.Length)];
        for (var bit = length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        var address = new IPAddress(bytes);
        return length == bytes.Length * 8 ? address.ToString() : string.Create(CultureInfo.InvariantCulture, $"{address}/{length}");
    }
}
