namespace RelayWatch.Store;

/// <summary>
/// The store cannot be opened or reached: the engine library is missing or fails its hash, the
/// data directory is unusable, the server is unreachable or refuses us. The message is one
/// sentence meant for the operator, saying what is wrong and what to do.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
