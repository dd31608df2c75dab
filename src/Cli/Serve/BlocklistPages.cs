using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RelayWatch.Analysis;
using RelayWatch.Analysis.Blocklists;
using RelayWatch.Analysis.Jobs;
using RelayWatch.Store;

namespace RelayWatch.Cli.Serve;

/// <summary>
/// The blocklist in the console: the review queue (entries the impact check held back: approve or reject,
/// with a note), what is listed with its expiry, the impact check's holds and what came of them, the audit
/// trail of every change, and an address's list/remove/allow/unallow actions. Every
/// change goes through <see cref="BlocklistAnalyst"/> (the same checks as <c>relaywatch blocklist</c>) and the audit trail.
/// </summary>
internal static class BlocklistPages
{
    private const int ApprovedDays = 30;

    /// <summary>How far back the impact check's holds are shown.</summary>
    private const int ImpactDays = 90;

    /// <summary>Rows of the impact check and of the audit trail shown.</summary>
    private const int TrailRows = 200;

    /// <summary>What <see cref="BlocklistUpdater"/> puts between a held entry's reason and why it was held.</summary>
    private const string HeldSeparator = " — held for review: ";

    public static void Map(WebApplication app)
    {
        app.MapGet("/blocklist", (Delegate)PageAsync);
        app.MapPost("/blocklist/change", (Delegate)ChangeAsync).RequireAuthorization(ConsoleRoles.ActPolicy);
    }

    /// <summary>The buttons an analyst has on an address's page.</summary>
    public static string Actions(HttpContext context, string subject) => $"""
        <form method="post" action="/blocklist/change">{Html.Token(context)}<input type="hidden" name="subject" value="{Html.Text(subject)}">
        <input type="hidden" name="returnUrl" value="/ip/{Html.Url(subject)}">
        <label>Why (for the blocklist) <input name="note" required size="40"></label>
        <button name="action" value="list">Block for {ApprovedDays} days</button> <button name="action" value="remove">Unblock</button>
        <button name="action" value="allow">Allowlist</button> <button name="action" value="unallow">Withdraw the allowlisting</button></form>
        """;

    private static async Task<IResult> PageAsync(HttpContext context, IClickHouseStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var current = await BlocklistState.CurrentAsync(store, cancellationToken).ConfigureAwait(false);
        var canAct = context.User.IsInRole(ConsoleRoles.Analyst) || context.User.IsInRole(ConsoleRoles.Admin);
        var body = new StringBuilder("<h2>Held for review</h2>");
        var review = current.Where(e => e.Action == BlocklistActions.Review).OrderBy(e => e.Subject, StringComparer.Ordinal).ToList();
        if (review.Count == 0)
        {
            body.Append("<p>Nothing is held for review.</p>");
        }
        else
        {
            body.Append("<table><tr><th>subject</th><th>severity</th><th>why it was proposed, and held</th><th>sources</th>").Append(canAct ? "<th>decision</th>" : string.Empty).Append("</tr>");
            foreach (var e in review)
            {
                body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Link(e.Subject)}</td><td>{Html.Text(e.Severity)}</td><td>{Html.Text(e.Reason)}</td><td>{Html.Text(string.Join(", ", e.Sources))}</td>");
                if (canAct)
                {
                    body.Append(CultureInfo.InvariantCulture, $"""
                        <td><form method="post" action="/blocklist/change">{Html.Token(context)}<input type="hidden" name="subject" value="{Html.Text(e.Subject)}">
                        <input type="hidden" name="returnUrl" value="/blocklist">
                        <input name="note" required placeholder="why" aria-label="why, for {Html.Text(e.Subject)}">
                        <button name="action" value="list">Approve ({ApprovedDays} days)</button> <button name="action" value="remove">Reject</button></form></td>
                        """);
                }

                body.Append("</tr>");
            }

            body.Append("</table>");
        }

        body.Append("<h2>Listed</h2>");
        var listed = current.Where(e => e.IsListedAt(now)).OrderBy(e => e.ExpiresAt).ToList();
        body.Append(listed.Count == 0 ? "<p>Nothing is listed.</p>" : "<table><tr><th>subject</th><th>severity</th><th>until</th><th>by</th><th>why</th></tr>");
        foreach (var e in listed)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Link(e.Subject)}</td><td>{Html.Text(e.Severity)}</td><td>{e.ExpiresAt:yyyy-MM-dd HH:mm}</td><td>{Html.Text(e.ChangedBy)}</td><td>{Html.Text(e.Reason)}</td></tr>");
        }

        body.Append(listed.Count == 0 ? string.Empty : "</table>");
        await AppendImpactChecksAsync(body, store, now, cancellationToken).ConfigureAwait(false);
        await AppendTrailAsync(body, store, cancellationToken).ConfigureAwait(false);
        return Html.Page(context, "Blocklist", body.ToString());
    }

    /// <summary>
    /// What the impact check held back in the last <see cref="ImpactDays"/> days — entries that would have blocked a
    /// sender we took mail from, or an innocent bouncing server — with why, and what came of each: the first change
    /// after it (an analyst's approval or rejection, with who, when and the note), or still waiting.
    /// </summary>
    private static async Task AppendImpactChecksAsync(StringBuilder body, IClickHouseStore store, DateTime now, CancellationToken cancellationToken)
    {
        var held = await store.QueryListAsync(
            """
            SELECT r.subject, toString(r.changed_at), r.severity, r.reason, n.action, n.changed_by, toString(n.changed_at), n.reason
            FROM
            (
                SELECT subject, changed_at, severity, reason FROM blocklist_changes
                WHERE action = 'review' AND changed_at >= toDateTime64({since:String}, 3, 'UTC')
            ) AS r
            ASOF LEFT JOIN (SELECT subject, changed_at, action, changed_by, reason FROM blocklist_changes) AS n
                ON n.subject = r.subject AND n.changed_at > r.changed_at
            ORDER BY r.changed_at DESC, r.subject
            LIMIT {limit:UInt32}
            """,
            new Dictionary<string, string>
            {
                ["since"] = now.AddDays(-ImpactDays).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                ["limit"] = TrailRows.ToString(CultureInfo.InvariantCulture),
            },
            cancellationToken).ConfigureAwait(false);
        body.Append(CultureInfo.InvariantCulture, $"<h2>Impact check: held back in the last {ImpactDays} days</h2>");
        if (held.Count == 0)
        {
            body.Append("<p>The impact check held nothing back: no entry would have blocked a sender we took mail from, or a server that only bounced.</p>");
            return;
        }

        body.Append("<table><tr><th>held (UTC)</th><th>subject</th><th>severity</th><th>proposed because</th><th>held because</th><th>what came of it</th></tr>");
        foreach (var r in held)
        {
            var separator = r[3].IndexOf(HeldSeparator, StringComparison.Ordinal);
            var (proposed, why) = separator < 0 ? (r[3], string.Empty) : (r[3][..separator], r[3][(separator + HeldSeparator.Length)..]);
            var outcome = r[4] switch
            {
                "" => "waiting for an analyst",
                BlocklistActions.Listed => $"approved by {r[5]} at {Minute(r[6])}: {r[7]}",
                BlocklistActions.Removed => $"rejected by {r[5]} at {Minute(r[6])}: {r[7]}",
                BlocklistActions.Allowed => $"allowlisted by {r[5]} at {Minute(r[6])}: {r[7]}",
                _ => $"{r[4]} by {r[5]} at {Minute(r[6])}: {r[7]}",
            };
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Minute(r[1])}</td><td>{Link(r[0])}</td><td>{Html.Text(r[2])}</td><td>{Html.Text(proposed)}</td><td>{Html.Text(why)}</td><td>{Html.Text(outcome)}</td></tr>");
        }

        body.Append("</table>");
    }

    /// <summary>
    /// The blocklist's audit trail, newest first: every change by the hourly job, <c>relaywatch blocklist</c> and the
    /// console — who, when, what (a listing that ends a review is an approval, a removal a rejection), on what, and why.
    /// </summary>
    private static async Task AppendTrailAsync(StringBuilder body, IClickHouseStore store, CancellationToken cancellationToken)
    {
        var trail = await store.QueryListAsync(
            """
            SELECT toString(changed_at), changed_by, action, before, subject, reason, if(action = 'listed', toString(expires_at), '')
            FROM
            (
                SELECT changed_at, changed_by, action, subject, reason, expires_at,
                       lagInFrame(action) OVER (PARTITION BY subject ORDER BY changed_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS before
                FROM blocklist_changes
            )
            ORDER BY changed_at DESC, subject
            LIMIT {limit:UInt32}
            """,
            new Dictionary<string, string> { ["limit"] = TrailRows.ToString(CultureInfo.InvariantCulture) },
            cancellationToken).ConfigureAwait(false);
        body.Append(CultureInfo.InvariantCulture, $"<h2>Audit trail (the latest {TrailRows})</h2>");
        if (trail.Count == 0)
        {
            body.Append("<p>The blocklist has not changed yet.</p>");
            return;
        }

        body.Append("<p>An address's page has its whole history; the console's own record of each action (with the signed-in user's role and address) is in <code>console_audit</code>.</p>");
        body.Append("<table><tr><th>when (UTC)</th><th>who</th><th>what</th><th>subject</th><th>why, or the note</th><th>listed until</th></tr>");
        foreach (var r in trail)
        {
            var what = (r[3], r[2]) switch
            {
                (BlocklistActions.Review, BlocklistActions.Listed) => "approved",
                (BlocklistActions.Review, BlocklistActions.Removed) => "rejected",
                (BlocklistActions.Listed, BlocklistActions.Listed) => "renewed",
                (BlocklistActions.Review, BlocklistActions.Review) => "held for review",
                (_, BlocklistActions.Review) => "held for review",
                (_, BlocklistActions.Listed) => "blocked",
                (_, BlocklistActions.Removed) => "unblocked",
                (_, BlocklistActions.Allowed) => "allowlisted",
                (_, BlocklistActions.Unallowed) => "allowlisting withdrawn",
                (_, var action) => action,
            };
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Minute(r[0])}</td><td>{Html.Text(r[1])}</td><td>{Html.Text(what)}</td><td>{Link(r[4])}</td><td>{Html.Text(r[5])}</td><td>{(r[6].Length == 0 ? string.Empty : Minute(r[6]))}</td></tr>");
        }

        body.Append("</table>");
    }

    /// <summary>"2026-12-07 20:31" from the engine's "2026-12-07 20:31:12.345".</summary>
    private static string Minute(string time) => Html.Text(time.Length >= 16 ? time[..16] : time);

    private static string Link(string subject) =>
        subject.Contains('/', StringComparison.Ordinal) ? Html.Text(subject) : $"<a href=\"/ip/{Html.Url(subject)}\">{Html.Text(subject)}</a>";

    private static async Task<IResult> ChangeAsync(HttpContext context, IClickHouseStore store, BlocklistJobSettings settings, TimeProvider time)
    {
        if (await ConsolePages.ReadFormAsync(context).ConfigureAwait(false) is not { } form)
        {
            return ConsolePages.Refused(context);
        }

        var subject = form["subject"].ToString();
        var note = form["note"].ToString().Trim();
        if (note.Length is 0 or > 1000 || Subjects.Canonical(subject) is null)
        {
            return Html.Page(context, "Refused", "<p class=\"error\">A blocklist change names an address or network and says why in a note (at most 1000 characters).</p>", StatusCodes.Status400BadRequest);
        }

        var analyst = new BlocklistAnalyst(store, settings.Blocklists, settings.Estate, time, context.User.Identity?.Name ?? string.Empty);
        var action = form["action"].ToString();
        // A decision on an entry the impact check held is audited as one: approved or rejected.
        var wasHeld = (await BlocklistState.HistoryAsync(store, Subjects.Canonical(subject)!, context.RequestAborted).ConfigureAwait(false)).LastOrDefault()?.Action == BlocklistActions.Review;
        BlocklistEntry entry;
        try
        {
            entry = action switch
            {
                "list" => await analyst.ListAsync(subject, ApprovedDays, note, context.RequestAborted).ConfigureAwait(false),
                "remove" => await analyst.RemoveAsync(subject, note, context.RequestAborted).ConfigureAwait(false),
                "allow" => await analyst.AllowAsync(subject, note, context.RequestAborted).ConfigureAwait(false),
                "unallow" => await analyst.UnallowAsync(subject, context.RequestAborted).ConfigureAwait(false),
                _ => throw new ArgumentException($"There is no blocklist action '{action}'."),
            };
        }
        catch (ArgumentException e)
        {
            return Html.Page(context, "Refused", $"<p class=\"error\">{Html.Text(e.Message)}</p>", StatusCodes.Status400BadRequest);
        }

        var audited = (wasHeld, entry.Action) switch
        {
            (true, BlocklistActions.Listed) => "blocklist_approved",
            (true, BlocklistActions.Removed) => "blocklist_rejected",
            _ => "blocklist_" + entry.Action,
        };
        await ServeHost.AuditAsync(context, audited, entry.Subject, note).ConfigureAwait(false);
        return Results.Redirect(ConsolePages.LocalOrRoot(form["returnUrl"]));
    }
}
