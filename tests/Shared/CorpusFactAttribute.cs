namespace RelayWatch.Tests.Shared;

/// <summary>
/// A fact that reads the real log lines in ../shared/corpora. On a clone with no ../shared beside it
/// the test is skipped with a reason (and counted as skipped in the summary); where
/// <c>RELAYWATCH_REQUIRE_CORPORA=1</c> (as <c>.ci/run</c> sets it) it runs, and fails on the missing
/// folder, so CI always reads the corpora.
/// </summary>
internal sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute() => Skip = RepositoryFolders.CorporaSkipReason;
}

/// <summary>A theory that reads ../shared/corpora; skipped like <see cref="CorpusFactAttribute"/> when it is absent.</summary>
internal sealed class CorpusTheoryAttribute : TheoryAttribute
{
    public CorpusTheoryAttribute() => Skip = RepositoryFolders.CorporaSkipReason;
}
