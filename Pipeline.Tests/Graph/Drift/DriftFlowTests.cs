using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Domain;
using Pipeline.Tests.Graph.Retraining;
using Pipeline.Tests.Graph.Scoring;
using Pipeline.Tests.Graph.Windows;
using Prometheus;
using Xunit;
using Xunit.Abstractions;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Drift;

public sealed class DriftFlowTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task DriftFlow_should_raise_one_score_drift_per_cooldown_and_pass_every_element_when_the_score_level_shifts()
    {
        var rows = Enumerable.Range(0, 6000).Select(i => (PipelineElement)Scored(i, score: (i < 3000 ? 0.1 : 0.7) + (i % 7 * 0.01), flagged: false)).ToList();
        var events = new List<DriftEvent>();
        var registry = new CollectorRegistry();
        var flow = DriftFlow.Create(Drift("adwin.cooldown-events = 100000"), LifecycleTestKit.Settings("drift.watch-amount-z-score = off"),
            e => events.Add(e), new LifecycleMetrics(registry));

        var output = await Source.From(rows).Via(flow).RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer()).WaitAsync(LifecycleTestKit.Deadline);

        Assert.Equal(rows, output);
        var drift = Assert.Single(events);
        Assert.Equal(("adwin", "score"), (drift.Detector, drift.Signal));
        Assert.True(drift.Timestamp >= Start.AddSeconds(3000), $"drift raised at {drift.Timestamp} before the shift");
        Assert.True(drift.Value > 0.131, $"estimate {drift.Value} should lie above the level before the shift (0.13)");
        Assert.Contains("pipeline_drift_events_total{detector=\"adwin\",signal=\"score\"} 1", await Export(registry));
    }

    [Fact]
    public async Task DriftFlow_should_raise_a_ddm_drift_when_delayed_labels_show_decisions_turning_wrong()
    {
        var rows = Enumerable.Range(0, 1000).Select(i => Scored(i, score: 0.2, flagged: false)).ToList();
        var drifts = new TaskCompletionSource<DriftEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var passed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource<PipelineElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        var registry = new CollectorRegistry();
        var flow = DriftFlow.Create(Drift(string.Empty), LifecycleTestKit.Settings("drift.watch-amount-z-score = off, drift.warm-up-events = 0"),
            e => { if (e.Detector == "ddm") drifts.TrySetResult(e); }, new LifecycleMetrics(registry));
        var (labels, done) = Source.From(rows.Cast<PipelineElement>())
            .Concat(Source.FromTask(gate.Task).Where(_ => false))
            .ViaMaterialized(flow, Keep.Right)
            .Select(e => { if (++seen == rows.Count) passed.SetResult(); return e; })
            .ToMaterialized(Sink.Ignore<PipelineElement>(), Keep.Both)
            .Run(Sys.Materializer());
        await passed.Task.WaitAsync(LifecycleTestKit.Deadline);

        // The first 500 decisions were right (no fraud), then fraud labels arrive for unflagged ones.
        for (var i = 0; i < 1000; i++) labels.OnLabel(new TransactionLabel(Id(i), IsFraud: i >= 500, Start.AddSeconds(i + 60)));
        labels.OnLabel(new TransactionLabel("never-scored", true, Start));
        var drift = await drifts.Task.WaitAsync(LifecycleTestKit.Deadline);
        gate.SetResult(rows[0]);
        await done.WaitAsync(LifecycleTestKit.Deadline);

        Assert.Equal("label_error", drift.Signal);
        Assert.True(drift.Timestamp >= Start.AddSeconds(560), $"DDM fired at {drift.Timestamp}, before the errors began");
        Assert.Contains("pipeline_drift_labels_total{match=\"unknown\"} 1", await Export(registry));
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(0, true)]
    public async Task DriftFlow_should_not_feed_ddm_when_the_labelled_decisions_were_made_in_warm_up_or_by_a_replaced_model(int warmUp, bool swapAfter)
    {
        // Arrange: 1000 decisions (all within the warm-up, or all by version 1 before version 2 takes over).
        var rows = Enumerable.Range(0, 1000).Select(i => (PipelineElement)Scored(i, score: 0.2, flagged: false)).ToList();
        if (swapAfter) rows.Add(Scored(1000, score: 0.2, flagged: false, version: "2"));
        var ddm = new List<DriftEvent>();
        var passed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource<PipelineElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        var registry = new CollectorRegistry();
        var flow = DriftFlow.Create(Drift(string.Empty), LifecycleTestKit.Settings($"drift.watch-amount-z-score = off, drift.warm-up-events = {warmUp}"),
            e => { if (e.Detector == "ddm") lock (ddm) ddm.Add(e); }, new LifecycleMetrics(registry));
        var (labels, done) = Source.From(rows)
            .Concat(Source.FromTask(gate.Task).Where(_ => false))
            .ViaMaterialized(flow, Keep.Right)
            .Select(e => { if (++seen == rows.Count) passed.SetResult(); return e; })
            .ToMaterialized(Sink.Ignore<PipelineElement>(), Keep.Both)
            .Run(Sys.Materializer());
        await passed.Task.WaitAsync(LifecycleTestKit.Deadline);

        // Act: the same labels that make DDM fire in the test above (half of the decisions turn wrong).
        for (var i = 0; i < 1000; i++) labels.OnLabel(new TransactionLabel(Id(i), IsFraud: i >= 500, Start.AddSeconds(i + 60)));
        await Pipeline.Tests.Graph.Assembly.TransactionGraphTests.WaitUntil(
            () => Export(registry).Result.Contains("pipeline_drift_labels_total{match=\"matched\"} 1000", StringComparison.Ordinal), LifecycleTestKit.Deadline);
        gate.SetResult(rows[0]);
        await done.WaitAsync(LifecycleTestKit.Deadline);

        // Assert: every label was matched, none reached DDM.
        Assert.Empty(ddm);
    }

    private static DriftSettings Drift(string overrides) =>
        DriftSettings.Create(ReferenceConfigFile.With($"pipeline.drift {{ {overrides} }}"));

    private static string Id(int i) => $"tx-{i:D6}";

    private static ScoredElement Scored(int i, double score, bool flagged, string version = "1") =>
        new(new WindowsTestKit.FakeConsumer().Offset(new TopicPartition("transactions", 0), i), Start.AddSeconds(i), new ScoredTransaction
        {
            Timestamp = Start.AddSeconds(i),
            TransactionId = Id(i),
            AccountId = "acct-1",
            Amount = 10,
            Currency = "EUR",
            Score = score,
            IsAnomaly = flagged,
            Severity = "LOW",
            Threshold = 0.5,
            ModelVersion = version,
            Features = new Dictionary<string, double> { ["amount_zscore"] = 0.1 },
            Reasons = [],
        });

    private static async Task<string> Export(CollectorRegistry registry)
    {
        using var buffer = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
