using RelayWatch.Store.Embedded;
using RelayWatch.Store.Tests.Support;

namespace RelayWatch.Store.Tests.Embedded;

public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly TemporaryDirectory temporary = new();

    private string directory => temporary.Path;

    public void Dispose() => temporary.Dispose();

    [Fact]
    public void ASecondHolderIsRefusedWithThePidOfTheFirst()
    {
        using var first = DataDirectoryLock.Acquire(directory);

        var error = Assert.Throws<StoreUnavailableException>(() => DataDirectoryLock.Acquire(directory));

        Assert.Equal(
            $"The data directory {directory} is in use by another RelayWatch process (pid {Environment.ProcessId}); stop it or choose another directory with --data.",
            error.Message);
    }

    [Fact]
    public void TheLockIsFreeAgainOnceReleased()
    {
        DataDirectoryLock.Acquire(directory).Dispose();

        using var again = DataDirectoryLock.Acquire(directory);

        Assert.True(File.Exists(Path.Combine(directory, DataDirectoryLock.FileName)));
    }

    [Fact]
    public void ADirectoryThatCannotBeCreatedIsReportedAsSuch()
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "a-file");
        File.WriteAllText(file, string.Empty);
        var impossible = Path.Combine(file, "data");

        var error = Assert.Throws<StoreUnavailableException>(() => DataDirectoryLock.Acquire(impossible));

        Assert.StartsWith($"The data directory {impossible} cannot be created (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("); choose another with --data or RELAYWATCH_DATA.", error.Message, StringComparison.Ordinal);
    }
}
