using Akka.Streams;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Alerting.Internal;
using Pipeline.Models.Alerting;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Graph.Alerting;

/// <summary>
/// An alert raised in this process is claimed as soon as its write commits, not at the next idle poll: the
/// delivery stream is idle (its first claim found nothing) under a poll interval far longer than the deadline,
/// so only the store's signal can get the alert posted in time.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OutboxSignalTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("outbox-signal-");
    private readonly AlertMetrics _metrics = new(new CollectorRegistry());
    private readonly HttpClient _http = AlertHttp.CreateClient(TimeSpan.FromSeconds(1));
    private FakeSlackServer _slack = null!;

    public async Task InitializeAsync() => _slack = await FakeSlackServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _slack.DisposeAsync();
        _http.Dispose();
        _dir.Delete(recursive: true);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Delivery_should_post_a_new_alert_before_the_poll_interval_ends_when_it_was_written_through_the_same_store(string kind)
    {
        var settings = AlertTestData.FastSettings(_slack.Url, "pipeline.alerting.outbox.poll-interval = 60s");
        await using var store = new ClaimWatchingStore(await AlertTestData.OpenStoreAsync(kind, Path.Combine(_dir.FullName, "alerts.db")));
        var delivery = AlertDelivery.Create(store, new SlackChannel(_http, settings, TimeProvider.System), settings, _metrics, TimeProvider.System, new CapturingLog(), "host-a")
            .Run(Sys.Materializer());
        await store.FirstEmptyClaim.WaitAsync(Deadline);
        var alert = AlertTestData.Alert(1, "acc-1");

        await store.WriteAsync([alert], settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);
        await _slack.WaitForDeliveriesAsync(1, Deadline);
        await delivery.StopAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([alert.AlertId.ToString("D")], _slack.Requests.Select(r => r.AlertId));
    }

    // Passes everything to the real store (its signal included) and reports when a claim first came back empty,
    // i.e. when the delivery stream has gone idle.
    private sealed class ClaimWatchingStore(IAlertStore inner) : IAlertStore, IOutboxSignalSource
    {
        private readonly TaskCompletionSource _firstEmptyClaim = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstEmptyClaim => _firstEmptyClaim.Task;

        public string Description => inner.Description;

        public OutboxSignal OutboxWritten => ((IOutboxSignalSource)inner).OutboxWritten;

        public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

        public Task<IReadOnlySet<Guid>> FindExistingAsync(IReadOnlyCollection<Guid> alertIds, CancellationToken cancellationToken) =>
            inner.FindExistingAsync(alertIds, cancellationToken);

        public Task<IReadOnlyDictionary<CooldownKey, CooldownEntry>> LoadCooldownsAsync(IReadOnlyCollection<CooldownKey> keys, CancellationToken cancellationToken) =>
            inner.LoadCooldownsAsync(keys, cancellationToken);

        public Task<int> WriteAsync(IReadOnlyList<Alert> alerts, IReadOnlyList<string> channels, IReadOnlyList<KeyValuePair<CooldownKey, CooldownEntry>> cooldowns, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.WriteAsync(alerts, channels, cooldowns, now, cancellationToken);

        public async Task<IReadOnlyList<OutboxEntry>> ClaimAsync(string channel, string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
        {
            var rows = await inner.ClaimAsync(channel, owner, max, now, lease, cancellationToken);
            if (rows.Count == 0) _firstEmptyClaim.TrySetResult();
            return rows;
        }

        public Task<bool> CompleteAsync(OutboxEntry entry, string owner, OutboxCompletion completion, CancellationToken cancellationToken) =>
            inner.CompleteAsync(entry, owner, completion, cancellationToken);

        public Task<int> ReleaseLeasesAsync(string channel, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.ReleaseLeasesAsync(channel, owner, now, cancellationToken);

        public Task<OutboxStats> GetOutboxStatsAsync(string channel, CancellationToken cancellationToken) => inner.GetOutboxStatsAsync(channel, cancellationToken);

        public Task<IReadOnlyList<RecentAlert>> RecentAsync(int count, CancellationToken cancellationToken) => inner.RecentAsync(count, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
