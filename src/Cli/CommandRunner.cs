using Microsoft.Extensions.Logging;
using RelayWatch.Cli.Output;
using RelayWatch.Store;

namespace RelayWatch.Cli;

/// <summary>
/// Runs a command's work and turns its failures into one sentence on stderr and an exit code.
/// This is the only place that catches exceptions on their way out of a command.
/// </summary>
internal static class CommandRunner
{
    public static ILoggerFactory Loggers { get; } = new StderrLoggerProvider(
        string.Equals(Environment.GetEnvironmentVariable("RELAYWATCH_LOG"), "debug", StringComparison.OrdinalIgnoreCase) ? LogLevel.Debug : LogLevel.Information);

    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return Fail(e.Message, ExitCodes.Usage);
        }
        catch (WorkFailedException e)
        {
            return Fail(e.Message, ExitCodes.Failed);
        }
        catch (StoreUnavailableException e)
        {
            return Fail(e.Message, ExitCodes.Failed);
        }
        catch (ClickHouseException e)
        {
            return Fail(e.Message, ExitCodes.Failed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail("Interrupted.", ExitCodes.Interrupted);
        }
        catch (IOException e)
        {
            return Fail(e.Message, ExitCodes.Failed);
        }
    }

    /// <summary>Opens the store, runs <paramref name="work"/> with it, and closes it.</summary>
    public static Task<int> WithStoreAsync(Func<StoreOptions> resolveOptions, Func<IClickHouseStore, CancellationToken, Task<int>> work, CancellationToken cancellationToken) =>
        WithStoreAsync(resolveOptions, _ => true, (store, _, token) => work(store, token), cancellationToken);

    /// <summary>
    /// Reads and checks the command's arguments, then opens the store and runs <paramref name="work"/> with them.
    /// Arguments are checked first so that a mistyped option is reported at once, without starting
    /// (or, on a fresh machine, fetching) the engine.
    /// </summary>
    public static Task<int> WithStoreAsync<TArguments>(
        Func<StoreOptions> resolveOptions,
        Func<StoreOptions, TArguments> readArguments,
        Func<IClickHouseStore, TArguments, CancellationToken, Task<int>> work,
        CancellationToken cancellationToken) =>
        RunAsync(async token =>
        {
            var options = resolveOptions();
            var arguments = readArguments(options);
            var store = await ClickHouseStore.OpenAsync(options, Loggers, token).ConfigureAwait(false);
            await using (store.ConfigureAwait(false))
            {
                return await work(store, arguments, token).ConfigureAwait(false);
            }
        }, cancellationToken);

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"relaywatch: {message}");
        return exitCode;
    }
}
