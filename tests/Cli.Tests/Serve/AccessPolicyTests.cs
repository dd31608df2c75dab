using System.Net;
using System.Text;
using RelayWatch.Cli.Serve;

namespace RelayWatch.Cli.Tests.Serve;

public sealed class AccessPolicyTests
{
    private static readonly IPAddress Remote = IPAddress.Parse("192.0.2.10");

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void ThisMachineIsAlwaysAllowed(string address) =>
        Assert.True(new AccessPolicy(null).Allows(IPAddress.Parse(address), null));

    [Fact]
    public void WithoutCredentialsNoRemoteRequestIsAllowed() =>
        Assert.False(new AccessPolicy(null).Allows(Remote, Basic("analyst:secret")));

    [Theory]
    [InlineData("analyst:secret", true)]
    [InlineData("analyst:wrong", false)]
    [InlineData("analyst:secret2", false)]
    public void RemoteRequestsNeedTheConfiguredCredentials(string given, bool allowed) =>
        Assert.Equal(allowed, new AccessPolicy("analyst:secret").Allows(Remote, Basic(given)));

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc")]
    [InlineData("Basic not-base64!")]
    public void AnythingElseIsRefused(string? header) =>
        Assert.False(new AccessPolicy("analyst:secret").Allows(Remote, header));

    private static string Basic(string credentials) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
}
