using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// The console's HTML: every value goes through <see cref="Text"/>, which HTML-encodes it and shows control
/// and formatting characters (bidi overrides, zero-width joiners, NUL…) as visible <c>‹U+202E›</c> marks, so
/// attacker-written log text (a HELO, an address) can neither run nor disguise itself.
/// </summary>
internal static class Html
{
    public const string StyleSheet = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
        header{display:flex;gap:1em;align-items:center;background:#1f3a5f;color:#fff;padding:.5em 1em}
        header a{color:#fff}
        header form{margin:0}
        main{padding:1em}
        table{border-collapse:collapse;margin:.5em 0}
        th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
        th{background:#eee}
        .num{text-align:right}
        .critical,.high{color:#a00;font-weight:bold}
        .dismissed{color:#888;text-decoration:line-through}
        .error{color:#a00}
        .mark{color:#a00;font-family:monospace}
        form.inline{display:inline}
        pre{white-space:pre-wrap;word-break:break-all;max-width:60em}
        iframe.report{width:100%;height:80vh;border:1px solid #ccc}
        """;

    /// <summary>Encodes text for HTML content or a quoted attribute, with invisible characters made visible.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(value.Length + 16);
        foreach (var rune in value.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                builder.Append(CultureInfo.InvariantCulture, $"<span class=\"mark\">‹U+{rune.Value:X4}›</span>");
            }
            else
            {
                builder.Append(WebUtility.HtmlEncode(rune.ToString()));
            }
        }

        return builder.ToString();
    }

    /// <summary>Encodes a value for a URL path segment or query value.</summary>
    public static string Url(string value) => Uri.EscapeDataString(value);

    /// <summary>The hidden anti-forgery field every state-changing form carries.</summary>
    public static string Token(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{Text(tokens.FormFieldName)}\" value=\"{Text(tokens.RequestToken)}\">";
    }

    /// <summary>A whole page: header (navigation, search, who is signed in), then the body.</summary>
    public static IResult Page(HttpContext context, string title, string body, int status = StatusCodes.Status200OK)
    {
        var user = context.User.Identity?.Name;
        var header = user is null
            ? "<header><strong>RelayWatch</strong></header>"
            : $"""
              <header><strong>RelayWatch</strong>
              <a href="/">Overview</a> <a href="/findings">Findings</a> <a href="/blocklist">Blocklist</a> <a href="/reports">Reports</a> <a href="/ingest">Ingest</a> <a href="/model">Model</a>{(context.User.IsInRole(ConsoleRoles.Analyst) || context.User.IsInRole(ConsoleRoles.Admin) ? " <a href=\"/sql\">SQL</a>" : string.Empty)} <a href="/hangfire">Jobs</a>
              <form method="get" action="/search" role="search"><input name="q" placeholder="address, network, e-mail, domain, queue id" size="40" aria-label="Search"> <button>Search</button></form>
              <span>{Text(user)}</span>
              {(context.User.Identity?.AuthenticationType == "loopback" ? string.Empty : $"<form method=\"post\" action=\"/logout\">{Token(context)}<button>Log out</button></form>")}
              </header>
              """;
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{Text(title)} · RelayWatch</title>
            <link rel="stylesheet" href="/console.css"></head>
            <body>{header}<main><h1>{Text(title)}</h1>
            {body}
            </main></body></html>
            """;
        return Results.Text(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
