namespace RelayWatch.Reports.Delivery;

/// <summary>The report's files were written but mailing them failed.</summary>
public sealed class ReportDeliveryException(string message, Exception inner) : Exception(message, inner);
