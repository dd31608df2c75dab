using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Ironport;

/// <summary>One row of <see cref="IronportLineKinds"/>: a kind of line, and what it does to the correlation.</summary>
/// <param name="Line">The kind's name, its template in AsyncOS's wording and the event it records.</param>
/// <param name="Step">What the line does to the connections, messages and deliveries.</param>
/// <param name="Reason">The <c>reason</c> of the refusal it records, when the wording says it; else the reply text is classified.</param>
internal sealed record IronportKind(LineKind Line, IronportStep Step, string? Reason = null);
