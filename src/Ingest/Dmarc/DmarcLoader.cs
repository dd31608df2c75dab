namespace RelayWatch.Ingest.Dmarc;

/// <summary>Reads report files and stores what they hold: files one by one, folders recursively in name order.</summary>
public sealed class DmarcLoader(DmarcReportReader reader, DmarcStore store, TlsStore tlsStore)
{
    /// <summary>The files a list of paths names: files as given, folders' files recursively, each in ordinal name order.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else
            {
                files.Add(path);
            }
        }

        return files;
    }

    /// <summary>Loads one file into <paramref name="summary"/>; a missing or unreadable file is a refusal like any other.</summary>
    public async Task LoadFileAsync(string path, DmarcLoadSummary summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        await LoadAsync(reader.ReadFile(path), summary, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores the reports among <paramref name="outcomes"/> and records the refusals.</summary>
    /// <returns>Whether every outcome was a report (new or already stored).</returns>
    public async Task<bool> LoadAsync(IReadOnlyList<DmarcReadOutcome> outcomes, DmarcLoadSummary summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(summary);
        var allLoaded = true;
        foreach (var outcome in outcomes)
        {
            if (outcome.Report is { } report)
            {
                summary.Add(report, await store.AddAsync(report, outcome.Source, cancellationToken).ConfigureAwait(false));
            }
            else if (outcome.TlsReport is { } tls)
            {
                summary.AddTls(await tlsStore.AddAsync(tls, outcome.Source, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                summary.Refusals.Add(outcome.Sentence);
                allLoaded = false;
            }
        }

        return allLoaded;
    }
}
