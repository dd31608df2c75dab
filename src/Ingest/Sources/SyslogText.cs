using System.Text;

namespace RelayWatch.Ingest.Sources;

/// <summary>A received message's bytes as text: line endings and NULs trimmed, invalid UTF-8 and NULs inside replaced.</summary>
internal static class SyslogText
{
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        bytes = bytes.TrimEnd("\r\n\0"u8);
        return bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes).Replace('\0', '\uFFFD');
    }
}
