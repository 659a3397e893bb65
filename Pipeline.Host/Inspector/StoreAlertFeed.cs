using Pipeline.Graph.Alerting;

namespace Pipeline.Host.Inspector;

/// <summary>
/// The host's <see cref="IAlertFeed"/>: the alerts the graph wrote to its alert store (SQLite or PostgreSQL),
/// with each channel's delivery state from the outbox, so <c>alerts tail</c> shows what was raised and
/// whether it reached Slack, also for alerts raised by another host or before a restart.
/// </summary>
public sealed class StoreAlertFeed(IAlertStore store) : IAlertFeed
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<AlertInfo>> RecentAlertsAsync(int count, CancellationToken cancellationToken)
    {
        var alerts = await store.RecentAsync(count, cancellationToken).ConfigureAwait(false);
        return alerts.Select(a => new AlertInfo(a.CreatedAt, a.TransactionId, a.Severity, a.Score, a.Reasons, a.Delivery.Length == 0 ? "no channel" : a.Delivery)).ToList();
    }
}
