using System.Globalization;
using System.Text.Json;

namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// Reads one SMTP TLS report (RFC 8460 section 4, JSON) into a <see cref="TlsReport"/>. The JSON reader is bounded in
/// depth; the size was bounded before (<see cref="DmarcReadLimits"/>). Refusals are <see cref="DmarcRefusedException"/>s.
/// </summary>
internal static class TlsReportJson
{
    public static TlsReport Parse(Stream json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new DmarcRefusedException($"it is not valid JSON ({e.Message.TrimEnd('.')})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("policies", out var policies) || policies.ValueKind != JsonValueKind.Array)
            {
                throw new DmarcRefusedException("it is not an SMTP TLS report (RFC 8460): it has no \"policies\" array");
            }

            var org = Text(root, "organization-name");
            var reportId = Text(root, "report-id");
            if (org.Length == 0 || reportId.Length == 0)
            {
                throw new DmarcRefusedException("its organization-name or report-id is empty, so it could not be loaded exactly once");
            }

            var range = root.TryGetProperty("date-range", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
            return new TlsReport(org, Text(root, "contact-info"), reportId, Time(range, "start-datetime"), Time(range, "end-datetime"),
                [.. policies.EnumerateArray().Select(Policy)]);
        }
    }

    private static TlsReportPolicy Policy(JsonElement element)
    {
        var policy = element.TryGetProperty("policy", out var p) ? p : default;
        var summary = element.TryGetProperty("summary", out var s) ? s : default;
        var failures = element.TryGetProperty("failure-details", out var f) && f.ValueKind == JsonValueKind.Array ? f.EnumerateArray().ToList() : [];
        return new TlsReportPolicy(
            Text(policy, "policy-type").ToLowerInvariant(),
            Text(policy, "policy-domain").ToLowerInvariant(),
            Strings(policy, "mx-host"),
            Count(summary, "total-successful-session-count"),
            Count(summary, "total-failure-session-count"),
            [.. failures.Select(d => new TlsFailureDetail(
                Text(d, "result-type").ToLowerInvariant(), Text(d, "sending-mta-ip"), Text(d, "receiving-mx-hostname"), Text(d, "receiving-ip"),
                Count(d, "failed-session-count"), Text(d, "failure-reason-code")))]);
    }

    private static string Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!.Trim()
            : string.Empty;

    /// <summary>A string or an array of strings (RFC 8460's own example writes mx-host as a string, its schema as an array).</summary>
    private static List<string> Strings(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)],
            _ => [],
        };
    }

    private static ulong Count(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return 0;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var count)
            ? count
            : throw new DmarcRefusedException($"its {name} is not a count ('{value.GetRawText()[..Math.Min(40, value.GetRawText().Length)]}')");
    }

    private static DateTimeOffset Time(JsonElement range, string name)
    {
        var text = Text(range, name);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            && time.ToUnixTimeSeconds() is >= 0 and <= uint.MaxValue
            ? time
            : throw new DmarcRefusedException($"its date-range {name} is not an RFC 3339 time ('{(text.Length > 40 ? text[..40] : text)}')");
    }
}
