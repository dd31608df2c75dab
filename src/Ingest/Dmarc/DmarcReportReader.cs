using System.Globalization;
using System.IO.Compression;
using MimeKit;

namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// Finds the aggregate reports in a file or a mail message: plain XML, gzip, zip (each entry), and mail messages
/// (<c>.eml</c>, or fetched over IMAP) whose attachments are any of those. What a piece of input is comes from its
/// first bytes, not its name (reporters name files freely). Every piece gives a report or a refusal naming it, so
/// nothing is dropped unsaid, and one bad attachment or entry leaves the others to load.
/// </summary>
public sealed class DmarcReportReader(DmarcReadLimits limits)
{
    /// <summary>Nesting allowed: a zip in a message, a gzip in a zip; deeper is not a report.</summary>
    private const int MaxDepth = 3;

    public DmarcReportReader()
        : this(new DmarcReadLimits())
    {
    }

    /// <summary>Every report in the file, or why each part of it was refused.</summary>
    public IReadOnlyList<DmarcReadOutcome> ReadFile(string path)
    {
        var outcomes = new List<DmarcReadOutcome>();
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (file.Length > limits.MaxFileBytes)
            {
                throw new DmarcRefusedException(string.Create(CultureInfo.InvariantCulture,
                    $"the file is {file.Length:N0} bytes, more than the limit of {limits.MaxFileBytes:N0}"));
            }

            // Whatever does not start like XML or an archive is read as a mail message (a report mailed as .eml).
            Dispatch(file, path, mayBeMessage: true, 0, outcomes);
        }
        catch (DmarcRefusedException e)
        {
            outcomes.Add(new DmarcReadOutcome(path, null, e.Message));
        }
        catch (IOException e)
        {
            outcomes.Add(new DmarcReadOutcome(path, null, $"it could not be read ({e.Message.TrimEnd('.')})"));
        }
        catch (UnauthorizedAccessException e)
        {
            outcomes.Add(new DmarcReadOutcome(path, null, $"it could not be read ({e.Message.TrimEnd('.')})"));
        }

        return outcomes;
    }

    /// <summary>One report's XML, already unpacked (from a stream of the caller's), or why it was refused.</summary>
    public DmarcReadOutcome ReadXml(Stream xml, string source)
    {
        try
        {
            return new DmarcReadOutcome(source, DmarcXml.Parse(xml, limits), null);
        }
        catch (DmarcRefusedException e)
        {
            return new DmarcReadOutcome(source, null, e.Message);
        }
    }

    /// <summary>Every report attached to a mail message; <paramref name="source"/> names the message (a file, or mailbox and UID).</summary>
    public IReadOnlyList<DmarcReadOutcome> ReadMessage(MimeMessage message, string source)
    {
        ArgumentNullException.ThrowIfNull(message);
        var outcomes = new List<DmarcReadOutcome>();
        try
        {
            ReadMessage(message, source, 0, outcomes);
        }
        catch (DmarcRefusedException e)
        {
            outcomes.Add(new DmarcReadOutcome(source, null, e.Message));
        }

        return outcomes;
    }

    /// <summary>Reads a seekable stream of unknown kind, by its first bytes.</summary>
    private void Dispatch(Stream content, string source, bool mayBeMessage, int depth, List<DmarcReadOutcome> outcomes)
    {
        if (depth > MaxDepth)
        {
            throw new DmarcRefusedException("it nests archives deeper than a report is ever packed");
        }

        Span<byte> head = stackalloc byte[4];
        var read = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        content.Position = 0;
        if (read == 0)
        {
            throw new DmarcRefusedException("it is empty");
        }

        if (read >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            using var gzip = new GZipStream(content, CompressionMode.Decompress, leaveOpen: true);
            using var inner = Bounded(gzip, "gzip");
            Dispatch(inner, source, mayBeMessage: false, depth + 1, outcomes);
        }
        else if (read == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
        {
            ReadZip(content, source, depth, outcomes);
        }
        else if (mayBeMessage && !StartsLikeXml(head[..read]) && !StartsLikeJson(head[..read]))
        {
            MimeMessage message;
            try
            {
                message = MimeMessage.Load(content);
            }
            catch (FormatException e)
            {
                throw new DmarcRefusedException($"it is not a mail message ({e.Message.TrimEnd('.')})");
            }

            ReadMessage(message, source, depth, outcomes);
        }
        else if (StartsLikeJson(head[..read]))
        {
            outcomes.Add(new DmarcReadOutcome(source, null, null) { TlsReport = TlsReportJson.Parse(content) });
        }
        else
        {
            outcomes.Add(new DmarcReadOutcome(source, DmarcXml.Parse(content, limits), null));
        }
    }

    private void ReadZip(Stream content, string source, int depth, List<DmarcReadOutcome> outcomes)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new DmarcRefusedException($"it is not a readable zip archive ({e.Message.TrimEnd('.')})");
        }

        using (archive)
        {
            var entries = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
            if (entries.Count > limits.MaxZipEntries)
            {
                throw new DmarcRefusedException(string.Create(CultureInfo.InvariantCulture,
                    $"its zip archive has {entries.Count:N0} entries, more than the limit of {limits.MaxZipEntries:N0}"));
            }

            if (entries.Count == 0)
            {
                throw new DmarcRefusedException("its zip archive is empty");
            }

            foreach (var entry in entries)
            {
                var name = $"{source}!{entry.FullName}";
                try
                {
                    // The declared size is the attacker's word: refused early when too large, and never trusted below.
                    if (entry.Length > limits.MaxReportBytes)
                    {
                        throw new DmarcRefusedException(string.Create(CultureInfo.InvariantCulture,
                            $"it would expand to {entry.Length:N0} bytes, more than the limit of {limits.MaxReportBytes:N0}"));
                    }

                    using var stream = entry.Open();
                    using var inner = Bounded(stream, "zip entry");
                    Dispatch(inner, name, mayBeMessage: false, depth + 1, outcomes);
                }
                catch (DmarcRefusedException e)
                {
                    outcomes.Add(new DmarcReadOutcome(name, null, e.Message));
                }
                catch (InvalidDataException e)
                {
                    outcomes.Add(new DmarcReadOutcome(name, null, $"it could not be unpacked ({e.Message.TrimEnd('.')})"));
                }
            }
        }
    }

    private void ReadMessage(MimeMessage message, string source, int depth, List<DmarcReadOutcome> outcomes)
    {
        var found = 0;
        foreach (var entity in message.BodyParts)
        {
            if (entity is MessagePart { Message: { } attached })
            {
                var before = outcomes.Count;
                ReadMessage(attached, source, depth + 1, outcomes);
                found += outcomes.Count - before;
                continue;
            }

            if (entity is not MimePart part || part.Content is null || !MayCarryReport(part))
            {
                continue;
            }

            var name = $"{source}!{part.FileName ?? part.ContentType.MimeType}";
            found++;
            try
            {
                using var decoded = new BoundedWriteStream(limits.MaxFileBytes);
                part.Content.DecodeTo(decoded);
                decoded.Position = 0;
                Dispatch(decoded, name, mayBeMessage: false, depth + 1, outcomes);
            }
            catch (DmarcRefusedException e)
            {
                outcomes.Add(new DmarcReadOutcome(name, null, e.Message));
            }
            catch (InvalidDataException e)
            {
                outcomes.Add(new DmarcReadOutcome(name, null, $"it could not be unpacked ({e.Message.TrimEnd('.')})"));
            }
        }

        if (found == 0 && depth == 0)
        {
            throw new DmarcRefusedException("the message carries no DMARC aggregate report (no XML, JSON, gzip or zip attachment)");
        }
    }

    /// <summary>Attachments of any type, and inline parts that are XML or compressed; message texts are not reports.</summary>
    private static bool MayCarryReport(MimePart part)
    {
        var type = part.ContentType;
        if (type.MediaSubtype.Contains("xml", StringComparison.OrdinalIgnoreCase)
            || type.MediaSubtype.Contains("zip", StringComparison.OrdinalIgnoreCase)
            || type.MediaSubtype.Contains("gzip", StringComparison.OrdinalIgnoreCase)
            || type.MediaSubtype.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return part.IsAttachment && !type.IsMimeType("text", "plain") && !type.IsMimeType("text", "html");
    }

    /// <summary>The decompressed content, read into memory up to the report limit: past it the input is a bomb or not a report.</summary>
    private MemoryStream Bounded(Stream decompressing, string what)
    {
        var copy = new BoundedWriteStream(limits.MaxReportBytes, what);
        decompressing.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    private static bool StartsLikeJson(ReadOnlySpan<byte> head)
    {
        var trimmed = head.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'{';
    }

    private static bool StartsLikeXml(ReadOnlySpan<byte> head)
    {
        // A UTF-8 byte order mark, or '<' after optional white space.
        if (head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        {
            return true;
        }

        var trimmed = head.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'<';
    }
}
