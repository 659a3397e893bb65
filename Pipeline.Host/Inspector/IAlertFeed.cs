namespace Pipeline.Host.Inspector;

/// <summary>Recent alerts, for <c>alerts tail</c> and the status page. Register one implementation as a singleton.</summary>
public interface IAlertFeed
{
    /// <summary>The newest <paramref name="count"/> alerts, newest first.</summary>
    Task<IReadOnlyList<AlertInfo>> RecentAlertsAsync(int count, CancellationToken cancellationToken);
}
