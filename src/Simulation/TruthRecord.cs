using System.Text.Json.Serialization;

namespace RelayWatch.Simulation;

/// <summary>One labelled actor or campaign of a simulation: a line of <c>truth.jsonl</c>.</summary>
/// <param name="Kind">What it is: <c>dha</c>, <c>relay_probe</c>, <c>normal</c>, ….</param>
/// <param name="Subjects">What a detector should blame: IPs or CIDRs in canonical text.</param>
/// <param name="Detail">Kind-specific facts, e.g. the probe variants or the exposed mailboxes.</param>
public sealed record TruthRecord(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("subjects")] IReadOnlyList<string> Subjects,
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("end")] DateTimeOffset End,
    [property: JsonPropertyName("relays")] IReadOnlyList<string> Relays,
    [property: JsonPropertyName("detail")] IReadOnlyDictionary<string, object> Detail);
