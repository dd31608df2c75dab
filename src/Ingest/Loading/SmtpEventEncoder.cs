using RelayWatch.Ingest.Events;
using RelayWatch.Store.Formats;

namespace RelayWatch.Ingest.Loading;

/// <summary>Writes events as RowBinary rows of <c>smtp_events</c>, in the order of <see cref="Columns"/>.</summary>
internal static class SmtpEventEncoder
{
    public static IReadOnlyList<string> Columns => SmtpEventsTable.Columns;

    public static void Write(RowBinaryWriter writer, SmtpEvent e)
    {
        writer.WriteDateTime64Millis(e.Timestamp);
        writer.WriteString(e.Relay);
        writer.WriteString(e.Source);
        writer.WriteString(e.Event);
        if (e.ClientIp.Length == 0 || !writer.TryWriteIPv6(e.ClientIp))
        {
            writer.WriteIPv6Unspecified();
        }

        writer.WriteString(e.ClientHost);
        writer.WriteString(e.Helo);
        writer.WriteString(e.MailFrom);
        writer.WriteString(e.RcptTo);
        writer.WriteUInt16(e.SmtpCode);
        writer.WriteString(e.Dsn);
        writer.WriteString(e.Reason);
        writer.WriteString(e.QueueId);
        writer.WriteString(e.SessionId);
        writer.WriteString(e.MessageId);
        writer.WriteUInt64(e.Size);
        writer.WriteString(e.SaslUser);
        writer.WriteString(e.Detail);
        writer.WriteString(e.NextHop);
        writer.WriteString(e.OrigRcptTo);
        writer.WriteString(e.File);
        writer.WriteUInt64(e.Line);
    }
}
