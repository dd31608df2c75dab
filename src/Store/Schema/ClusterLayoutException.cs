namespace RelayWatch.Store.Schema;

/// <summary>A migration statement the cluster layout does not understand; the message names the migration and the statement.</summary>
public sealed class ClusterLayoutException : Exception
{
    public ClusterLayoutException(string message)
        : base(message)
    {
    }

    public ClusterLayoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
