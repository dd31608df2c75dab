namespace RelayWatch.Cli.Output;

/// <summary>Reports on the caller's thread, in order (<see cref="Progress{T}"/> posts to the thread pool and can reorder lines).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
