namespace RelayWatch.Store.Audit;

/// <summary>An analyst's dismissal of one finding (day, detector, subject) as a false positive, as in force.</summary>
public sealed record FindingDismissal(DateOnly Day, string Detector, string Subject, string Note, string By, DateTime At);
