using System.Net;
using RelayWatch.Analysis;
using RelayWatch.Analysis.Blocklists;

namespace RelayWatch.Reports.Sections;

/// <summary>Where an address or network stands on the blocklist when the report is made: its own entry, else a listed network that holds it.</summary>
internal sealed class BlocklistLookup
{
    private readonly Dictionary<string, BlocklistEntry> bySubject;
    private readonly List<(IPNetwork Network, BlocklistEntry Entry)> networks;
    private readonly DateTime now;

    public BlocklistLookup(IReadOnlyList<BlocklistEntry> current, DateTime now)
    {
        this.now = now;
        Entries = current;
        bySubject = current.ToDictionary(e => e.Subject, StringComparer.Ordinal);
        networks = [.. current
            .Where(e => e.Subject.Contains('/', StringComparison.Ordinal) && e.IsListedAt(now))
            .Select(e => (Network: Subjects.ParseNetwork(e.Subject), Entry: e))
            .Where(n => n.Network is not null)
            .Select(n => (n.Network!.Value, n.Entry))];
    }

    /// <summary>Every subject's latest change.</summary>
    public IReadOnlyList<BlocklistEntry> Entries { get; }

    /// <summary><c>listed until …</c>, <c>review</c>, <c>expired</c>, <c>removed</c>, <c>allowed</c>, <c>listed in NETWORK</c>, or <c>none</c>.</summary>
    public string StateOf(string subject)
    {
        if (bySubject.TryGetValue(subject, out var entry) && entry.Action != BlocklistActions.Unallowed)
        {
            return entry.IsListedAt(now) ? $"listed until {entry.ExpiresAt:yyyy-MM-dd}"
                : entry.Action == BlocklistActions.Listed ? BlocklistActions.Expired
                : entry.Action;
        }

        if (IPAddress.TryParse(subject, out var address))
        {
            foreach (var (network, listed) in networks)
            {
                if (network.Contains(address))
                {
                    return $"listed in {listed.Subject}";
                }
            }
        }

        return "none";
    }
}
