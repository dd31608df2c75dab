using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RelayWatch.Analysis;
using RelayWatch.Analysis.Detection;
using RelayWatch.Analysis.Scoring;
using RelayWatch.Ingest.Events;
using RelayWatch.Store;
using RelayWatch.Store.Audit;
using RelayWatch.Store.Vocabulary;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// The analysts' console: login, overview, findings explorer (with CSV), address profile with its actions, and
/// search. Server-rendered, no script; every query binds its inputs as parameters.
/// </summary>
internal static class ConsolePages
{
    private const int PageSize = 50;
    private const int MaxDays = 366;

    public static void Map(WebApplication app)
    {
        app.MapGet("/console.css", () => Results.Text(Html.StyleSheet, "text/css; charset=utf-8")).AllowAnonymous();
        app.MapGet("/login", (HttpContext context, string? returnUrl) => LoginPage(context, returnUrl, null, StatusCodes.Status200OK)).AllowAnonymous();
        app.MapPost("/login", (Delegate)LoginAsync).AllowAnonymous();
        app.MapPost("/logout", (Delegate)LogoutAsync);
        app.MapGet("/", (Delegate)OverviewAsync);
        app.MapGet("/findings", (Delegate)FindingsAsync);
        app.MapPost("/findings/dismiss", (Delegate)DismissAsync).RequireAuthorization(ConsoleRoles.ActPolicy);
        app.MapGet("/ip/{address}", (Delegate)ProfileAsync);
        app.MapPost("/ip/{address}/label", (Delegate)LabelAsync).RequireAuthorization(ConsoleRoles.ActPolicy);
        app.MapGet("/search", (Delegate)SearchAsync);
    }

    private static IResult LoginPage(HttpContext context, string? returnUrl, string? error, int status) => Html.Page(context, "Log in", $"""
        {(error is null ? string.Empty : $"<p class=\"error\">{Html.Text(error)}</p>")}
        <form method="post" action="/login">{Html.Token(context)}
        <input type="hidden" name="returnUrl" value="{Html.Text(LocalOrRoot(returnUrl))}">
        <p><label>User <input name="user" autocomplete="username" required></label></p>
        <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
        <p><button>Log in</button></p></form>
        """, status);

    /// <summary>Only a path on this site is followed after login (no open redirect).</summary>
    internal static string LocalOrRoot(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";

    /// <summary>Reads a form after checking its anti-forgery token; null (and a 400 to return) when the token is missing or wrong.</summary>
    internal static async Task<IFormCollection?> ReadFormAsync(HttpContext context)
    {
        if (!await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return null;
        }

        return await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
    }

    internal static IResult Refused(HttpContext context) =>
        Html.Page(context, "Refused", "<p class=\"error\">The form's anti-forgery token is missing or wrong: reload the page and try again.</p>", StatusCodes.Status400BadRequest);

    private static async Task<IResult> LoginAsync(HttpContext context, ServeSecurity security, LoginThrottle throttle, TimeProvider time)
    {
        if (await ReadFormAsync(context).ConfigureAwait(false) is not { } form)
        {
            return Refused(context);
        }

        var name = form["user"].ToString();
        var address = context.Connection.RemoteIpAddress?.ToString() ?? string.Empty;
        var nobody = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name.Length > 64 ? name[..64] : name)]));
        // Refused before the password is even looked at: a right guess during a refusal teaches nothing.
        if (throttle.Check(name, address) is { } refusal)
        {
            if (refusal.First)
            {
                context.User = nobody;
                await ServeHost.AuditAsync(context, "login_refused", string.Empty, string.Create(CultureInfo.InvariantCulture, $"too many failed logins for {refusal.For}; refused until {refusal.Until:yyyy-MM-dd HH:mm:ss} UTC")).ConfigureAwait(false);
                context.User = new ClaimsPrincipal();
            }

            var seconds = Math.Max(1, (int)Math.Ceiling((refusal.Until - time.GetUtcNow()).TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return LoginPage(context, form["returnUrl"], string.Create(CultureInfo.InvariantCulture, $"Too many failed logins for {refusal.For}: try again after {refusal.Until:HH:mm} UTC."), StatusCodes.Status429TooManyRequests);
        }

        var user = security.Users.Current.Verify(name, form["password"].ToString());
        if (user is null)
        {
            context.User = nobody;
            await ServeHost.AuditAsync(context, "login_failed", string.Empty, string.Empty).ConfigureAwait(false);
            context.User = new ClaimsPrincipal();
            if (throttle.Fail(name, address))
            {
                await Task.Delay(LoginThrottle.Delay, time, context.RequestAborted).ConfigureAwait(false);
            }

            return LoginPage(context, form["returnUrl"], "Unknown user or wrong password.", StatusCodes.Status401Unauthorized);
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)], CookieAuthenticationDefaults.AuthenticationScheme));
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal).ConfigureAwait(false);
        context.User = principal;
        await ServeHost.AuditAsync(context, "login", string.Empty, string.Empty).ConfigureAwait(false);
        return Results.Redirect(LocalOrRoot(form["returnUrl"]));
    }

    private static async Task<IResult> LogoutAsync(HttpContext context)
    {
        if (await ReadFormAsync(context).ConfigureAwait(false) is null)
        {
            return Refused(context);
        }

        await ServeHost.AuditAsync(context, "logout", string.Empty, string.Empty).ConfigureAwait(false);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return Results.Redirect("/login");
    }

    private static async Task<IResult> OverviewAsync(HttpContext context, IClickHouseStore store, CancellationToken cancellationToken)
    {
        var latest = await store.QueryScalarAsync("SELECT if(count() = 0, '', toString(max(day))) FROM findings", cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(latest))
        {
            return Html.Page(context, "Overview", "<p>No findings yet: ingest logs and run detection (relaywatch detect, or the hourly job).</p>");
        }

        var day = DateOnly.ParseExact(latest, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var week = await Finding.ReadAsync(store, day.AddDays(-7), day, cancellationToken).ConfigureAwait(false);
        var dismissed = await DismissedAsync(store, day.AddDays(-7), day, cancellationToken).ConfigureAwait(false);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<h2>{day:yyyy-MM-dd} against the week before</h2><table><tr><th>detector</th><th>findings</th><th>a day in the week before (mean)</th></tr>");
        foreach (var detector in week.Select(f => f.Detector).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var today = week.Count(f => f.Detector == detector && f.Day == day);
            var before = week.Count(f => f.Detector == detector && f.Day < day) / 7.0;
            body.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/findings?from={day:yyyy-MM-dd}&amp;to={day:yyyy-MM-dd}&amp;detector={Html.Url(detector)}\">{Html.Text(detector)}</a></td><td class=\"num\">{today}</td><td class=\"num\">{before:0.0}</td></tr>");
        }

        body.Append("</table><h2>Latest findings</h2>");
        body.Append(FindingsTable(context, [.. week.Where(f => f.Day == day).Take(20)], dismissed, actions: false));
        body.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/findings?from={day:yyyy-MM-dd}&amp;to={day:yyyy-MM-dd}\">All findings of {day:yyyy-MM-dd}</a> · <a href=\"/reports\">daily reports</a></p>");
        return Html.Page(context, "Overview", body.ToString());
    }

    private static async Task<IResult> FindingsAsync(HttpContext context, IClickHouseStore store, TimeProvider time, string? from, string? to, string? detector, string? subject, string? severity, string? status, string? sort, int? page, string? format, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        DateOnly? Day(string? text) => string.IsNullOrEmpty(text) ? null
            : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : DateOnly.MinValue;
        var last = Day(to) ?? today;
        var first = Day(from) ?? last.AddDays(-6);
        System.Net.IPNetwork? network = null;
        string? error = null;
        if (first == DateOnly.MinValue || last == DateOnly.MinValue)
        {
            error = "Days are dates such as 2026-11-24.";
        }
        else if (last < first || last.DayNumber - first.DayNumber >= MaxDays)
        {
            error = $"Choose at most {MaxDays} days, the first not after the last.";
        }
        else if (!string.IsNullOrWhiteSpace(subject) && (network = Subjects.ParseNetwork(subject.Trim())) is null)
        {
            error = $"'{subject}' is neither an IP address nor a network in CIDR notation.";
        }
        else if (!string.IsNullOrEmpty(severity) && !Severities.All.Contains(severity, StringComparer.Ordinal))
        {
            error = $"A severity is one of {string.Join(", ", Severities.All)}.";
        }
        else if (!string.IsNullOrEmpty(status) && !FindingStatus.All.Contains(status, StringComparer.Ordinal))
        {
            error = $"A status is one of {string.Join(", ", FindingStatus.All)}.";
        }
        else if (!string.IsNullOrEmpty(sort) && !Sorts.Any(o => o.Value == sort))
        {
            error = $"Findings sort by {string.Join(", ", Sorts.Where(o => o.Value.Length > 0).Select(o => o.Value))}.";
        }

        var form = $"""
            <form method="get" action="/findings">
            <label>From <input name="from" type="date" value="{(error is null ? first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Html.Text(from))}"></label>
            <label>to <input name="to" type="date" value="{(error is null ? last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Html.Text(to))}"></label>
            <label>detector <input name="detector" value="{Html.Text(detector)}"></label>
            <label>subject or network <input name="subject" value="{Html.Text(subject)}"></label>
            <label>severity at least {Select("severity", severity, [("", "any"), .. Severities.All.Select(v => (v, v))])}</label>
            <label>status {Select("status", status, [("", "any"), .. FindingStatus.All.Select(v => (v, v))])}</label>
            <label>sort by {Select("sort", sort, Sorts)}</label>
            <button>Filter</button></form>
            """;
        if (error is not null)
        {
            return Html.Page(context, "Findings", form + $"<p class=\"error\">{Html.Text(error)}</p>", StatusCodes.Status400BadRequest);
        }

        // A week before (continuing or new) and the day after (gone) decide each finding's status.
        var around = (await Finding.ReadAsync(store, first.AddDays(-FindingStatus.LookBackDays), last.AddDays(1), cancellationToken).ConfigureAwait(false))
            .Where(f => string.IsNullOrEmpty(detector) || f.Detector.Equals(detector, StringComparison.Ordinal))
            .Where(f => network is null || Overlaps(network.Value, f.Subject))
            .ToList();
        var dismissed = await DismissedAsync(store, first, last, cancellationToken).ConfigureAwait(false);
        var latest = await store.QueryScalarAsync("SELECT if(count() = 0, '', toString(max(day))) FROM findings", cancellationToken).ConfigureAwait(false);
        var inRange = around.Where(f => f.Day >= first && f.Day <= last).ToList();
        var statuses = FindingStatus.Of(inRange, around,
            string.IsNullOrEmpty(latest) ? null : DateOnly.ParseExact(latest, "yyyy-MM-dd", CultureInfo.InvariantCulture), dismissed);
        var least = string.IsNullOrEmpty(severity) ? 0 : Severities.All.ToList().IndexOf(severity);
        var findings = Sorted(inRange
            .Where(f => Rank(f.Severity) >= least)
            .Where(f => string.IsNullOrEmpty(status) || statuses[f].Contains(status, StringComparer.Ordinal)), sort)
            .ToList();
        if (format == "csv")
        {
            var csv = new StringBuilder("day,detector,subject,severity,score,events,first_seen,last_seen,dismissed,status\r\n");
            foreach (var f in findings)
            {
                csv.AppendJoin(',', new[]
                {
                    f.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), f.Detector, f.Subject, f.Severity,
                    f.Score.ToString("0.###", CultureInfo.InvariantCulture), f.Events.ToString(CultureInfo.InvariantCulture),
                    f.FirstSeen.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), f.LastSeen.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    dismissed.Contains((f.Day, f.Detector, f.Subject)) ? "yes" : "no", string.Join(' ', statuses[f]),
                }.Select(CsvCell)).Append("\r\n");
            }

            context.Response.Headers.ContentDisposition = $"attachment; filename=\"findings-{first:yyyy-MM-dd}-{last:yyyy-MM-dd}.csv\"";
            return Results.Text(csv.ToString(), "text/csv; charset=utf-8");
        }

        var pages = Math.Max(1, (findings.Count + PageSize - 1) / PageSize);
        var current = Math.Clamp(page ?? 1, 1, pages);
        var query = $"from={first:yyyy-MM-dd}&amp;to={last:yyyy-MM-dd}&amp;detector={Html.Url(detector ?? string.Empty)}&amp;subject={Html.Url(subject ?? string.Empty)}&amp;severity={Html.Url(severity ?? string.Empty)}&amp;status={Html.Url(status ?? string.Empty)}&amp;sort={Html.Url(sort ?? string.Empty)}";
        var body = new StringBuilder(form);
        body.Append(CultureInfo.InvariantCulture, $"<p>{findings.Count} findings, page {current} of {pages}. <a href=\"/findings?{query}&amp;format=csv\">Download CSV</a></p>");
        body.Append(FindingsTable(context, [.. findings.Skip((current - 1) * PageSize).Take(PageSize)], dismissed, actions: context.User.IsInRole(ConsoleRoles.Analyst) || context.User.IsInRole(ConsoleRoles.Admin), statuses));
        if (current > 1)
        {
            body.Append(CultureInfo.InvariantCulture, $"<a href=\"/findings?{query}&amp;page={current - 1}\">previous</a> ");
        }

        if (current < pages)
        {
            body.Append(CultureInfo.InvariantCulture, $"<a href=\"/findings?{query}&amp;page={current + 1}\">next</a>");
        }

        return Html.Page(context, "Findings", body.ToString());
    }

    /// <summary>The explorer's orders: the store's (each day's worst first within each detector), or by one column.</summary>
    private static readonly (string Value, string Text)[] Sorts =
        [("", "day"), ("score", "score, highest first"), ("severity", "severity, worst first"), ("events", "events, most first"), ("subject", "subject")];

    private static int Rank(string severity) => Severities.All.ToList().IndexOf(severity);

    private static IEnumerable<Finding> Sorted(IEnumerable<Finding> findings, string? sort) => sort switch
    {
        "score" => findings.OrderByDescending(f => f.Score).ThenBy(f => f.Day).ThenBy(f => f.Subject, StringComparer.Ordinal),
        "severity" => findings.OrderByDescending(f => Rank(f.Severity)).ThenByDescending(f => f.Score).ThenBy(f => f.Day),
        "events" => findings.OrderByDescending(f => f.Events).ThenBy(f => f.Day).ThenBy(f => f.Subject, StringComparer.Ordinal),
        "subject" => findings.OrderBy(f => f.Subject, StringComparer.Ordinal).ThenBy(f => f.Day).ThenBy(f => f.Detector, StringComparer.Ordinal),
        _ => findings,
    };

    /// <summary>A drop-down list with the current value chosen; values and texts are encoded.</summary>
    private static string Select(string name, string? current, IEnumerable<(string Value, string Text)> options) =>
        $"<select name=\"{name}\">" + string.Concat(options.Select(o =>
            $"<option value=\"{Html.Text(o.Value)}\"{(o.Value == (current ?? string.Empty) ? " selected" : string.Empty)}>{Html.Text(o.Text)}</option>")) + "</select>";

    /// <summary>A CSV cell that a spreadsheet will not run: a leading =, +, -, @, tab or CR gets a quote mark first.</summary>
    internal static string CsvCell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 || value.StartsWith('\'') ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    internal static bool Overlaps(System.Net.IPNetwork network, string subject) =>
        Subjects.ParseNetwork(subject) is { } other
        && other.BaseAddress.AddressFamily == network.BaseAddress.AddressFamily
        && (network.Contains(other.BaseAddress) || other.Contains(network.BaseAddress));

    internal static async Task<HashSet<(DateOnly, string, string)>> DismissedAsync(IClickHouseStore store, DateOnly first, DateOnly last, CancellationToken cancellationToken) =>
        [.. (await FindingDismissals.InForceAsync(store, first, last, cancellationToken).ConfigureAwait(false)).Select(d => (d.Day, d.Detector, d.Subject))];

    internal static string FindingsTable(HttpContext context, IReadOnlyList<Finding> findings, HashSet<(DateOnly, string, string)> dismissed, bool actions, IReadOnlyDictionary<Finding, IReadOnlyList<string>>? statuses = null)
    {
        if (findings.Count == 0)
        {
            return "<p>No findings.</p>";
        }

        var table = new StringBuilder("<table><tr><th>day</th><th>detector</th><th>subject</th><th>severity</th><th>score</th><th>events</th>")
            .Append(statuses is null ? string.Empty : "<th>status</th>").Append("<th>why</th>");
        table.Append(actions ? "<th>dismiss as a false positive</th></tr>" : "</tr>");
        foreach (var f in findings)
        {
            var isDismissed = dismissed.Contains((f.Day, f.Detector, f.Subject));
            var subjectLink = Subjects.ParseNetwork(f.Subject) is { } n && n.PrefixLength == (n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                ? $"<a href=\"/ip/{Html.Url(f.Subject)}\">{Html.Text(f.Subject)}</a>"
                : $"<a href=\"/findings?from={f.Day:yyyy-MM-dd}&amp;to={f.Day:yyyy-MM-dd}&amp;subject={Html.Url(f.Subject)}\">{Html.Text(f.Subject)}</a>";
            table.Append(CultureInfo.InvariantCulture, $"<tr class=\"{(isDismissed ? "dismissed" : string.Empty)}\"><td>{f.Day:yyyy-MM-dd}</td><td>{Html.Text(f.Detector)}</td><td>{subjectLink}</td><td class=\"{Html.Text(f.Severity)}\">{Html.Text(f.Severity)}</td><td class=\"num\">{f.Score:0.00}</td><td class=\"num\">{f.Events}</td>{(statuses is null ? string.Empty : $"<td>{Html.Text(string.Join(", ", statuses[f]))}</td>")}<td>{Html.Text(FindingExplainer.Explain(f))} <a href=\"{CampaignPage.Link(f)}\">campaign</a></td>");
            if (actions)
            {
                table.Append(isDismissed ? "<td>dismissed</td></tr>" : $"""
                    <td><form class="inline" method="post" action="/findings/dismiss">{Html.Token(context)}
                    <input type="hidden" name="day" value="{f.Day:yyyy-MM-dd}"><input type="hidden" name="detector" value="{Html.Text(f.Detector)}">
                    <input type="hidden" name="subject" value="{Html.Text(f.Subject)}"><input type="hidden" name="returnUrl" value="{Html.Text(context.Request.Path + context.Request.QueryString)}">
                    <input name="note" placeholder="why" required aria-label="why this is a false positive"> <button>Dismiss</button></form></td></tr>
                    """);
            }
            else
            {
                table.Append("</tr>");
            }
        }

        return table.Append("</table>").ToString();
    }

    private static async Task<IResult> DismissAsync(HttpContext context, IClickHouseStore store, TimeProvider time)
    {
        if (await ReadFormAsync(context).ConfigureAwait(false) is not { } form)
        {
            return Refused(context);
        }

        if (!DateOnly.TryParseExact(form["day"].ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || form["detector"].ToString() is not { Length: > 0 and <= 64 } detector || form["subject"].ToString() is not { Length: > 0 and <= 64 } subject)
        {
            return Html.Page(context, "Refused", "<p class=\"error\">A dismissal names the finding's day, detector and subject.</p>", StatusCodes.Status400BadRequest);
        }

        var note = form["note"].ToString().Trim();
        if (note.Length is 0 or > 1000)
        {
            return Html.Page(context, "Refused", "<p class=\"error\">Say why in a note (at most 1000 characters).</p>", StatusCodes.Status400BadRequest);
        }

        await FindingDismissals.RecordAsync(store, day, detector, subject, FindingDismissals.Dismissed, note, context.User.Identity?.Name ?? string.Empty, time.GetUtcNow().UtcDateTime, context.RequestAborted).ConfigureAwait(false);
        await ServeHost.AuditAsync(context, "dismiss", subject, string.Create(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} {detector}: {note}")).ConfigureAwait(false);
        return Results.Redirect(LocalOrRoot(form["returnUrl"]));
    }

    private static async Task<IResult> ProfileAsync(HttpContext context, IClickHouseStore store, TimeProvider time, string address, CancellationToken cancellationToken)
    {
        var ip = Subjects.Canonical(address);
        if (ip is null || Subjects.ParseNetwork(ip) is not { } single || single.PrefixLength != (single.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
        {
            return Html.Page(context, "Not an address", $"<p class=\"error\">'{Html.Text(address)}' is not an IP address.</p>", StatusCodes.Status404NotFound);
        }

        var parameters = new Dictionary<string, string>
        {
            ["ip"] = ip,
            ["connect"] = EventNames.Connect, ["rcpt_reject"] = EventNames.RcptReject, ["reject"] = EventNames.Reject,
            ["message"] = EventNames.Message, ["delivery"] = EventNames.Delivery,
        };
        var timeline = await store.QueryListAsync(
            """
            SELECT toDate(ts) AS d, relay, countIf(event = {connect:String}), uniqExactIf(rcpt_to, rcpt_to != ''),
                   countIf(event IN ({rcpt_reject:String}, {reject:String})), countIf(event = {message:String}), countIf(event = {delivery:String})
            FROM smtp_events
            WHERE client_ip = toIPv6({ip:String})
            GROUP BY d, relay
            ORDER BY d, relay
            """, parameters, cancellationToken).ConfigureAwait(false);
        var helos = await store.QueryListAsync(
            "SELECT helo, count() AS c FROM smtp_events WHERE client_ip = toIPv6({ip:String}) AND helo != '' GROUP BY helo ORDER BY c DESC, helo LIMIT 10",
            parameters, cancellationToken).ConfigureAwait(false);
        var scores = await store.QueryListAsync(
            "SELECT day, score, model, arrayStringConcat(reasons, '; ') FROM ip_scores WHERE ip = {ip:String} ORDER BY day DESC, model LIMIT 60",
            parameters, cancellationToken).ConfigureAwait(false);
        var blocklist = await store.QueryListAsync(
            "SELECT changed_at, subject, action, reason, expires_at, changed_by FROM blocklist_changes WHERE isIPAddressInRange({ip:String}, if(position(subject, '/') > 0, subject, concat(subject, if(position(subject, ':') > 0, '/128', '/32')))) ORDER BY changed_at DESC LIMIT 30",
            parameters, cancellationToken).ConfigureAwait(false);
        var labels = await store.QueryListAsync(
            "SELECT labelled_at, verdict, labelled_by, note FROM ip_labels WHERE subject = {ip:String} ORDER BY labelled_at DESC LIMIT 30",
            parameters, cancellationToken).ConfigureAwait(false);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var firstDay = timeline.Count > 0 ? DateOnly.ParseExact(timeline[0][0], "yyyy-MM-dd", CultureInfo.InvariantCulture) : today.AddDays(-30);
        var findings = (await Finding.ReadAsync(store, firstDay.AddDays(-1), today, cancellationToken).ConfigureAwait(false))
            .Where(f => Overlaps(single, f.Subject)).OrderByDescending(f => f.Day).ToList();
        var dismissed = await DismissedAsync(store, firstDay.AddDays(-1), today, cancellationToken).ConfigureAwait(false);
        var audit = await ConsoleAuditTrail.LatestAsync(store, ip, 30, cancellationToken).ConfigureAwait(false);
        var canAct = context.User.IsInRole(ConsoleRoles.Analyst) || context.User.IsInRole(ConsoleRoles.Admin);

        var body = new StringBuilder();
        body.Append(labels.Count > 0 && labels[0][1] != AnalystLabel.Cleared
            ? $"<p>Labelled <strong id=\"verdict\">{Html.Text(labels[0][1])}</strong> by {Html.Text(labels[0][2])}: {Html.Text(labels[0][3])}</p>"
            : "<p>No verdict in force.</p>");
        if (canAct)
        {
            body.Append(CultureInfo.InvariantCulture, $"""
                <form method="post" action="/ip/{Html.Url(ip)}/label">{Html.Token(context)}
                <label>Why (for the label) <input name="note" required size="50"></label>
                <button name="verdict" value="bad">Label bad</button> <button name="verdict" value="good">Label good</button> <button name="verdict" value="cleared">Clear the label</button>
                </form>
                """);
            body.Append(BlocklistPages.Actions(context, ip));
        }

        var wide = single.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? (Narrow: 24, Broad: 16) : (Narrow: 48, Broad: 32);
        body.Append(CultureInfo.InvariantCulture, $"<p>Its networks: <a href=\"{NetworkPages.Link(ip, wide.Narrow)}\">/{wide.Narrow}</a> · <a href=\"{NetworkPages.Link(ip, wide.Broad)}\">/{wide.Broad}</a></p>");
        body.Append("<h2>Activity per day and relay</h2>");
        body.Append(Table(["day", "relay", "sessions", "recipients tried", "refusals", "messages accepted", "deliveries"], timeline, numericFrom: 2));
        body.Append("<h2>HELO names</h2>");
        body.Append(Table(["HELO", "times"], helos, numericFrom: 1));
        body.Append("<h2>Findings</h2>");
        body.Append(FindingsTable(context, findings, dismissed, canAct));
        foreach (var f in findings.Take(10))
        {
            body.Append(CultureInfo.InvariantCulture, $"<details><summary>Evidence of {f.Day:yyyy-MM-dd} {Html.Text(f.Detector)}</summary><pre>{Html.Text(f.Evidence)}</pre></details>");
        }

        body.Append("<h2>Score history</h2>");
        body.Append(Table(["day", "score", "model", "reasons"], scores, numericFrom: 1, numericTo: 2));
        body.Append("<h2>Blocklist</h2>");
        body.Append(Table(["changed", "entry", "action", "reason", "expires", "by"], blocklist));
        body.Append("<h2>Labels</h2>");
        body.Append(Table(["when", "verdict", "by", "note"], labels));
        body.Append("<h2>Audit trail</h2>");
        body.Append(Table(["when", "who", "what", "note"], [.. audit.Select(a => new[] { a.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), a.Actor, a.Action, a.Note })]));
        return Html.Page(context, ip, body.ToString());
    }

    internal static string Table(string[] headings, IReadOnlyList<string[]> rows, int numericFrom = int.MaxValue, int numericTo = int.MaxValue)
    {
        if (rows.Count == 0)
        {
            return "<p>None.</p>";
        }

        var table = new StringBuilder("<table><tr>");
        foreach (var heading in headings)
        {
            table.Append(CultureInfo.InvariantCulture, $"<th>{Html.Text(heading)}</th>");
        }

        table.Append("</tr>");
        foreach (var row in rows)
        {
            table.Append("<tr>");
            for (var i = 0; i < row.Length; i++)
            {
                table.Append(i >= numericFrom && i < numericTo ? "<td class=\"num\">" : "<td>").Append(Html.Text(row[i])).Append("</td>");
            }

            table.Append("</tr>");
        }

        return table.Append("</table>").ToString();
    }

    private static async Task<IResult> LabelAsync(HttpContext context, IClickHouseStore store, TimeProvider time, string address)
    {
        if (await ReadFormAsync(context).ConfigureAwait(false) is not { } form)
        {
            return Refused(context);
        }

        var note = form["note"].ToString().Trim();
        if (note.Length == 0)
        {
            return Html.Page(context, "Refused", "<p class=\"error\">Say why in a note.</p>", StatusCodes.Status400BadRequest);
        }

        AnalystLabel label;
        try
        {
            label = await AnalystLabels.AddAsync(store, address, form["verdict"].ToString(), note, context.User.Identity?.Name ?? string.Empty, time, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return Html.Page(context, "Refused", $"<p class=\"error\">{Html.Text(e.Message)}</p>", StatusCodes.Status400BadRequest);
        }

        await ServeHost.AuditAsync(context, "label_" + label.Verdict, label.Subject, note).ConfigureAwait(false);
        return Results.Redirect($"/ip/{Html.Url(label.Subject)}");
    }

    private static async Task<IResult> SearchAsync(HttpContext context, IClickHouseStore store, string? q, CancellationToken cancellationToken)
    {
        var text = (q ?? string.Empty).Trim();
        if (text.Length is 0 or > 320)
        {
            return Html.Page(context, "Search", "<p>Search for an address, a network, an e-mail address or domain, or a queue or message id.</p>");
        }

        if (Subjects.Canonical(text) is { } canonical && Subjects.ParseNetwork(canonical) is { } network)
        {
            var single = network.PrefixLength == (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return Results.Redirect(single ? $"/ip/{Html.Url(canonical)}" : $"/findings?subject={Html.Url(canonical)}");
        }

        // Anything else is looked up as a queue or message id, an e-mail address, or a domain of one — bound, never spliced.
        var rows = await store.QueryListAsync(
            """
            SELECT ts, relay, event, replaceRegexpOne(toString(client_ip), '^::ffff:', ''), mail_from, rcpt_to, queue_id, message_id
            FROM smtp_events
            WHERE queue_id = {q:String} OR message_id = {q:String} OR message_id = concat('<', {q:String}, '>')
               OR mail_from = {q:String} OR rcpt_to = {q:String}
               OR endsWith(mail_from, concat('@', {q:String})) OR endsWith(rcpt_to, concat('@', {q:String}))
            ORDER BY ts DESC
            LIMIT 200
            """,
            new Dictionary<string, string> { ["q"] = text }, cancellationToken).ConfigureAwait(false);
        var addresses = rows.Select(r => r[3]).Where(a => a.Length > 0 && a != "::").Distinct(StringComparer.Ordinal).ToList();
        if (addresses.Count == 1 && rows.All(r => r[6] == text || r[7].Trim('<', '>') == text.Trim('<', '>')))
        {
            // A queue or message id belongs to one client: its page is the answer.
            return Results.Redirect($"/ip/{Html.Url(addresses[0])}");
        }

        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<p>{rows.Count} events{(rows.Count == 200 ? " (the newest 200)" : string.Empty)} name {Html.Text(text)}.</p>");
        if (addresses.Count > 0)
        {
            body.Append("<p>Clients: ").AppendJoin(", ", addresses.Take(50).Select(a => $"<a href=\"/ip/{Html.Url(a)}\">{Html.Text(a)}</a>")).Append("</p>");
        }

        body.Append(Table(["time", "relay", "event", "client", "from", "to", "queue id", "message id"], rows));
        return Html.Page(context, "Search", body.ToString());
    }
}
