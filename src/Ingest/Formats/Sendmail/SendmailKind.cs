using RelayWatch.Ingest.Templates;

namespace RelayWatch.Ingest.Formats.Sendmail;

/// <summary>One kind of Sendmail line: its <see cref="LineKind"/> (name, template in Sendmail's wording, event) and how it is read.</summary>
internal sealed record SendmailKind(SendmailReading Reading, LineKind Line)
{
    /// <summary>Why a line of this kind whose <c>{client}</c> names no address is unrecognised.</summary>
    public string Unreadable { get; } = "no client address in sendmail " + Line.Name["sendmail.".Length..].Replace('_', ' ') + " line";
}
