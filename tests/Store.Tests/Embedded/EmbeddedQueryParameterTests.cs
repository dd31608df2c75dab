using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Embedded;

public sealed class EmbeddedQueryParameterTests : QueryParameterContract
{
    protected override Task<IClickHouseStore> OpenAsync() => TestEngine.OpenAsync();
}
