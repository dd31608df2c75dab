namespace RelayWatch.Ingest.Formats;

/// <summary>
/// The sessions or messages a parser is correlating, by key, bounded in time: every lookup marks the
/// entry as seen, and <see cref="Sweep"/> drops what has been idle since before a cut-off (a lost
/// disconnect, a purged queue file), so state never grows without end.
/// </summary>
internal sealed class CorrelationMap<TKey, TState>(IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
    where TState : class, ICorrelationState
{
    private readonly Dictionary<TKey, TState> entries = new(comparer);

    public int Count => entries.Count;

    /// <summary>The entry for <paramref name="key"/>, made by <paramref name="create"/> when there is none; marked seen at <paramref name="now"/>.</summary>
    public TState GetOrAdd(TKey key, DateTimeOffset now, Func<TState> create)
    {
        if (!entries.TryGetValue(key, out var state))
        {
            state = create();
            entries[key] = state;
        }

        state.LastSeen = now;
        return state;
    }

    /// <summary>Starts a new entry for <paramref name="key"/>, replacing any before it.</summary>
    public void Set(TKey key, TState state) => entries[key] = state;

    /// <summary>The entry, when there is one, marked seen at <paramref name="now"/>.</summary>
    public TState? Find(TKey key, DateTimeOffset now)
    {
        if (!entries.TryGetValue(key, out var state))
        {
            return null;
        }

        state.LastSeen = now;
        return state;
    }

    /// <summary>
    /// <see cref="Find(TKey, DateTimeOffset)"/> by another form of the key, when the map's comparer reads it
    /// (a string map with an ordinal comparer found by a span): no key is made for a lookup.
    /// </summary>
    public TState? Find<TAlternate>(TAlternate key, DateTimeOffset now)
        where TAlternate : notnull, allows ref struct
    {
        if (!entries.GetAlternateLookup<TAlternate>().TryGetValue(key, out var state))
        {
            return null;
        }

        state.LastSeen = now;
        return state;
    }

    /// <summary>The entry, when there is one, without marking it seen.</summary>
    public TState? Peek(TKey key) => entries.GetValueOrDefault(key);

    public bool Remove(TKey key) => entries.Remove(key);

    /// <summary>Drops the entries not seen since <paramref name="cutoff"/>.</summary>
    public void Sweep(DateTimeOffset cutoff)
    {
        foreach (var (key, state) in entries)
        {
            if (state.LastSeen < cutoff)
            {
                entries.Remove(key);
            }
        }
    }
}
