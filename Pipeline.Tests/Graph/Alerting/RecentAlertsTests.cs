using Pipeline.Graph.Alerting;
using Xunit;

namespace Pipeline.Tests.Graph.Alerting;

/// <summary><c>alerts tail</c> reads the alert store: the newest alerts first, each with every channel's outbox state.</summary>
[Trait("Category", "Integration")]
public sealed class RecentAlertsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("recent-alerts-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Recent_should_list_the_newest_alerts_first_with_each_channels_delivery_state(string kind)
    {
        await using var store = await AlertTestData.OpenStoreAsync(kind, Path.Combine(_dir.FullName, "alerts.db"));
        var alerts = Enumerable.Range(1, 3).Select(i => AlertTestData.Alert(i, $"acc-{i}") with { CreatedAt = AlertTestData.T0.AddSeconds(i) }).ToList();
        await store.WriteAsync(alerts, ["slack", "console"], [], AlertTestData.T0, CancellationToken.None);
        var claimed = await store.ClaimAsync("slack", "host-a", 1, AlertTestData.T0.AddSeconds(5), TimeSpan.FromMinutes(1), CancellationToken.None);
        await store.CompleteAsync(claimed[0], "host-a", OutboxCompletion.Delivered(AlertTestData.T0.AddSeconds(6)), CancellationToken.None);

        var recent = await store.RecentAsync(2, CancellationToken.None);

        Assert.Equal([alerts[2].AlertId, alerts[1].AlertId], recent.Select(r => r.AlertId));
        Assert.Equal(alerts[2].TransactionId, recent[0].TransactionId);
        Assert.Equal(AlertTestData.T0.AddSeconds(3), recent[0].CreatedAt);
        Assert.Equal("HIGH", recent[0].Severity);
        Assert.Equal(alerts[2].Score, recent[0].Score);
        Assert.Equal(alerts[2].Reasons, recent[0].Reasons);
        Assert.Equal("console: pending, slack: pending", recent[0].Delivery);
        Assert.Equal("console: pending, slack: delivered", (await store.RecentAsync(3, CancellationToken.None))[2].Delivery);
    }
}
