using Microsoft.Extensions.Logging;

namespace RelayWatch.Cli.Output;

/// <summary>
/// Shows the libraries' informational messages (such as the one-time engine fetch) to the person
/// at the terminal: plain sentences on stderr, so that stdout stays clean for results.
/// </summary>
internal sealed class StderrLoggerProvider(LogLevel minimum) : ILoggerProvider, ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new StderrLogger(minimum);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class StderrLogger(LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var prefix = logLevel switch
            {
                >= LogLevel.Error => "error: ",
                LogLevel.Warning => "warning: ",
                _ => string.Empty,
            };
            Console.Error.WriteLine(prefix + formatter(state, exception));
        }
    }
}
