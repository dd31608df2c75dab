using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

namespace RelayWatch.Ingest.Dmarc;

/// <summary>
/// Reads the reports in a mailbox over IMAP and stores them, exactly once per report: a message's reports are
/// stored first, and only then is the message marked seen (or moved to <see cref="DmarcImapSettings.MoveTo"/>); a
/// crash in between leaves it to be read again, and its reports are then skipped as already stored. A message with
/// a refused report stays where it is, unseen, and is named in every run's refusals until someone deals with it.
/// </summary>
public sealed class DmarcImapFetcher(DmarcImapSettings settings, DmarcReportReader reader, DmarcLoader loader, DmarcReadLimits limits)
{
    /// <summary>Fetches and loads into <paramref name="summary"/>; <paramref name="progress"/> hears one line per message.</summary>
    /// <returns>The number of messages read.</returns>
    public async Task<int> FetchAsync(string password, DmarcLoadSummary summary, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(progress);
        settings.Validate();
        using var client = new ImapClient { Timeout = settings.TimeoutSeconds * 1000 };
        var security = settings.Security switch
        {
            "tls" => SecureSocketOptions.SslOnConnect,
            "starttls" => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(settings.Host!, settings.PortOrDefault, security, cancellationToken).ConfigureAwait(false);
        await client.AuthenticateAsync(settings.User!, password, cancellationToken).ConfigureAwait(false);
        var folder = await client.GetFolderAsync(settings.Folder, cancellationToken).ConfigureAwait(false);
        var target = settings.MoveTo is { } moveTo ? await client.GetFolderAsync(moveTo, cancellationToken).ConfigureAwait(false) : null;
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken).ConfigureAwait(false);

        var uids = await folder.SearchAsync(target is null ? SearchQuery.NotSeen : SearchQuery.All, cancellationToken).ConfigureAwait(false);
        var summaries = uids.Count == 0
            ? []
            : await folder.FetchAsync(uids, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Size), cancellationToken).ConfigureAwait(false);
        var read = 0;
        foreach (var item in summaries.OrderBy(s => s.UniqueId.Id))
        {
            var source = string.Create(CultureInfo.InvariantCulture, $"imap:{settings.Folder}/{item.UniqueId.Id}");
            if (item.Size > limits.MaxFileBytes)
            {
                summary.Refusals.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: refused: the message is {item.Size:N0} bytes, more than the limit of {limits.MaxFileBytes:N0}; it was left in the mailbox"));
                continue;
            }

            var message = await folder.GetMessageAsync(item.UniqueId, cancellationToken).ConfigureAwait(false);
            var before = (Reports: summary.AllNew, Duplicates: summary.AllDuplicates);
            var stored = await loader.LoadAsync(reader.ReadMessage(message, source), summary, cancellationToken).ConfigureAwait(false);
            read++;
            if (!stored)
            {
                progress($"{source}: left in the mailbox (a report in it was refused)");
                continue;
            }

            if (target is not null)
            {
                await folder.MoveToAsync(item.UniqueId, target, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await folder.StoreAsync(item.UniqueId, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Seen) { Silent = true }, cancellationToken).ConfigureAwait(false);
            }

            progress(string.Create(CultureInfo.InvariantCulture,
                $"{source}: {summary.AllNew - before.Reports} new report(s), {summary.AllDuplicates - before.Duplicates} already stored; {(target is null ? "marked seen" : "moved to " + settings.MoveTo)}"));
        }

        await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        return read;
    }
}
