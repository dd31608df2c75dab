using System.Runtime.Versioning;
using RelayWatch.Store.Files;

namespace RelayWatch.Store.Tests.Files;

/// <summary>
/// The one <c>stat</c> reader (Linux, as the engine is), held to what .NET itself says of the same file: a wrong offset in the
/// layout would give a size, mode or time that disagrees.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class UnixFileIdentityTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("relaywatch-identity-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ReadsWhatDotnetReportsOfTheSameFile()
    {
        var path = Path.Combine(folder, "a.log");
        File.WriteAllText(path, "twelve bytes");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var written = new DateTime(2026, 11, 24, 7, 5, 3, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(path, written);

        using var handle = File.OpenHandle(path);
        var identity = UnixFileIdentity.Of(handle);

        Assert.NotNull(identity);
        Assert.Equal(12, identity.Value.Size);
        Assert.Equal((uint)File.GetUnixFileMode(path), identity.Value.Mode & 0xFFF);
        Assert.Equal(0x8000u, identity.Value.Mode & 0xF000); // a regular file
        Assert.Equal(UnixFileIdentity.CurrentUser, identity.Value.Owner);
        Assert.False(identity.Value.WritableByOthers);
        Assert.Equal((written - DateTime.UnixEpoch).Ticks * 100, identity.Value.ModifiedNanoseconds);
        Assert.Equal(identity, UnixFileIdentity.OfPath(path));
    }

    [Fact]
    public void TheSameFileUnderAnotherNameIsTheSameFileAndACopyIsNot()
    {
        var path = Path.Combine(folder, "mail.log");
        File.WriteAllText(path, "line\n");
        using var handle = File.OpenHandle(path);
        var followed = UnixFileIdentity.Of(handle)!.Value;

        File.Move(path, path + ".1");
        File.AppendAllText(path + ".1", "grown after rotation\n");
        File.Copy(path + ".1", path);

        Assert.True(UnixFileIdentity.OfPath(path + ".1")!.Value.IsSameFileAs(followed));
        Assert.False(UnixFileIdentity.OfPath(path)!.Value.IsSameFileAs(followed));
        Assert.Null(UnixFileIdentity.OfPath(Path.Combine(folder, "absent")));
    }

    [Fact]
    public void AFileOthersMayWriteSaysSo()
    {
        var path = Path.Combine(folder, "shared");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);

        Assert.True(UnixFileIdentity.OfPath(path)!.Value.WritableByOthers);
    }
}
