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
/// with a note), what is listed with its expiry, and an address's list/remove/allow/unallow actions. Every
/// change goes through <see cref="BlocklistAnalyst"/> (the same checks as <c>relaywatch blocklist</c>) and the audit trail.
/// </summary>
internal static class BlocklistPages
{
    private const int ApprovedDays = 30;

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
        return Html.Page(context, "Blocklist", body.ToString());
    }

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

        await ServeHost.AuditAsync(context, "blocklist_" + entry.Action, entry.Subject, note).ConfigureAwait(false);
        return Results.Redirect(ConsolePages.LocalOrRoot(form["returnUrl"]));
    }
}
