using System.Text.Json.Serialization;

namespace RelayWatch.Cli.Output;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(StoreStatus))]
internal sealed partial class StatusJson : JsonSerializerContext;
