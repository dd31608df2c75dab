namespace RelayWatch.Ingest.Formats.Exchange;

/// <summary>
/// The account a receive session authenticated as (<c>*,DOMAIN\user,authenticated</c>), kept by the session's
/// connector and session id past its disconnect, for the tracking log's <c>RECEIVE</c> of the messages it sent
/// (whose <c>source-context</c> begins with that session id). <see cref="Ip"/> is the session's client: a
/// <c>RECEIVE</c> naming another client is not given the login.
/// </summary>
internal sealed class ExchangeLogin(string ip, string account) : ICorrelationState
{
    public string Ip { get; } = ip;

    public string Account { get; } = account;

    public DateTimeOffset LastSeen { get; set; }
}
