using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Sinks;
using Pipeline.Host.Hosting;
using Pipeline.Host.Http;
using Pipeline.Host.Inspector;
using ModelVersionInfo = Pipeline.Graph.Retraining.ModelVersionInfo;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Host.Http;

public sealed class StatusFeedTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Status_feed_should_hold_the_drift_events_and_model_versions_the_lifecycle_recorder_hears()
    {
        var feed = new StatusFeed(Metrics.NewCustomRegistry(), new FixedClock(Now));
        var store = new RecordingStore();
        var recorder = new LifecycleRecorder(store, NullLogger.Instance, feed);

        recorder.Record(Version(1, ModelStatus.Active, "initial"));
        recorder.Record(new DriftEvent(Now.AddHours(-3), "adwin", "score", 0.7312, "window 1200 -> 400"), "1");
        recorder.Record(Version(2, ModelStatus.Active, "shadow evaluation: better"));
        recorder.Record(Version(1, ModelStatus.Retired, "initial"));
        await recorder.DisposeAsync();

        var drift = Assert.Single(feed.RecentDrift(10));
        Assert.Equal(Now, drift.At);
        Assert.Equal(("adwin", "score"), (drift.Detector, drift.Signal));
        Assert.Contains("model 1", drift.Detail);
        Assert.Contains("value 0.7312", drift.Detail);
        var versions = feed.Snapshot().RegistryVersions;
        Assert.Equal([(2L, ModelStatus.Active), (1L, ModelStatus.Retired)], versions.Select(v => (v.Version, v.Status)));
        Assert.Equal(4, store.Writes);
    }

    [Fact]
    public async Task Drift_show_should_list_the_drift_events_of_the_status_feed()
    {
        var feed = new StatusFeed(Metrics.NewCustomRegistry(), new FixedClock(Now));
        feed.OnDrift(new DriftEvent(Now, "ddm", "label_error", 0.21, "errors rose"), "3");
        var palette = new DriftPalette(feed);
        var show = palette.Commands.Single(c => c.Name == "show");

        var replies = new List<InspectorReply>();
        await foreach (var reply in palette.ExecuteAsync(InspectorInvocation.Parse("drift", show, [], out _)!, CancellationToken.None)) replies.Add(reply);

        var text = Assert.Single(replies).Text;
        Assert.Contains("ddm", text);
        Assert.Contains("label_error", text);
    }

    private static ModelVersionInfo Version(long version, ModelStatus status, string trigger) =>
        new(version, status, trigger, version - 1, Now.AddMinutes(version), status == ModelStatus.Active ? Now.AddMinutes(version) : null, null, 100 * version, null);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class RecordingStore : ILifecycleStore
    {
        private int _writes;

        public int Writes => _writes;

        public Task RecordDriftAsync(DriftEvent drift, string modelVersion, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return Task.CompletedTask;
        }

        public Task UpsertModelVersionAsync(ModelVersionInfo version, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
