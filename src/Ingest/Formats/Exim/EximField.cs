namespace RelayWatch.Ingest.Formats.Exim;

/// <summary>One item of a field list: <c>K=value</c> (for <c>H=</c> also the host), or a bare word with an empty key.</summary>
internal sealed record EximField(string Key, string Value, EximHost? Host = null);
