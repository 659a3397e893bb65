using Akka;
using System.Globalization;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Windows;
using Pipeline.Models.Lifecycle;
using Prometheus;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Retraining;

public sealed class ModelSwapFlowTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public async Task Swap_should_give_every_row_one_non_decreasing_version_and_lose_or_repeat_no_element_when_promotions_arrive_under_load()
    {
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 21, normal: 4000, drift: 0, attack: 0));
        var baseModel = LifecycleTestKit.Bytes(LifecycleTestKit.NewScorer().Model);
        var handle = new TaskCompletionSource<IModelSwapHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        var offers = new List<Task>();
        var offered = new List<long>();

        // Promotions are offered from the thread pool while elements are in flight, some of them
        // stale (older than what was offered before) to check that versions never go backwards.
        var trigger = Flow.Create<PipelineElement>().Select(e =>
        {
            var i = e.Offset.Offset;
            if (i > 0 && i % 200 == 0)
            {
                var version = (i / 200) % 5 == 4 ? (i / 200) - 2 : (i / 200) + 1;
                lock (offered) offered.Add(version);
                offers.Add(Task.Run(async () => (await handle.Task).Offer(LifecycleTestKit.Read(baseModel), version)));
            }

            return e;
        }).Async();
        var flow = ModelSwapFlow.Create(LifecycleTestKit.NewScorer(), 1, LifecycleTestKit.Settings(), new TrainingSample(100),
            new LifecycleTestKit.RecordingListener(), new PipelineMetrics(new CollectorRegistry()), new LifecycleMetrics(new CollectorRegistry()));

        var (swap, done) = Source.From(featured.Cast<PipelineElement>()).Via(trigger).ViaMaterialized(flow, Keep.Right).ToMaterialized(Sink.Seq<PipelineElement>(), Keep.Both).Run(Sys.Materializer());
        handle.SetResult(swap);
        var rows = await done.WaitAsync(LifecycleTestKit.Deadline);
        await Task.WhenAll(offers);

        var versions = rows.Cast<ScoredElement>().Select(r => long.Parse(r.Scored.ModelVersion, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(featured.Select(f => f.Transaction.TransactionId), rows.Cast<ScoredElement>().Select(r => r.Scored.TransactionId));
        Assert.Equal(featured.Select(f => f.Offset.Offset), rows.Select(LifecycleTestKit.OffsetOf));
        Assert.All(versions.Zip(versions.Skip(1)), p => Assert.True(p.First <= p.Second, $"version went back from {p.First} to {p.Second}"));
        Assert.True(versions.Distinct().Count() > 5, $"only versions {string.Join(",", versions.Distinct())} scored");
        Assert.Subset(offered.Append(1).ToHashSet(), versions.ToHashSet());
    }

    [Fact]
    public async Task Flow_should_report_a_shadow_evaluation_checkpoints_and_fill_the_sample_when_a_candidate_is_offered()
    {
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 22, normal: 1500, drift: 0, attack: 0));
        var listener = new LifecycleTestKit.RecordingListener();
        var sample = new TrainingSample(500);
        var settings = LifecycleTestKit.Settings("shadow.events = 400, checkpoint-every-events = 600");
        var flow = ModelSwapFlow.Create(LifecycleTestKit.NewScorer(), 3, settings, sample, listener,
            new PipelineMetrics(new CollectorRegistry()), new LifecycleMetrics(new CollectorRegistry()));
        // The elements wait behind a gate, opened once the stage reports the candidate in place (otherwise a
        // fast run could finish before the handle's offer reaches the stage).
        var gate = new TaskCompletionSource<NotUsed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (probe, done) = Source.FromTask(gate.Task).SelectMany(_ => featured.Cast<PipelineElement>())
            .ViaMaterialized(flow, Keep.Right).ToMaterialized(Sink.Seq<PipelineElement>(), Keep.Both).Run(Sys.Materializer());

        // The label arrives before its transaction was shadow-scored: it is joined once the transaction is. It is
        // posted first, so the stage has taken it by the time it reports the shadow started (one queue, in order).
        probe.OnLabel(new Pipeline.Models.Domain.TransactionLabel(featured[0].Transaction.TransactionId, false, DateTimeOffset.UnixEpoch));
        probe.BeginShadow(LifecycleTestKit.Read(LifecycleTestKit.TrainedBytes(300)), 4);
        Assert.Equal(4, await listener.ShadowStarted.Task.WaitAsync(LifecycleTestKit.Deadline));
        gate.SetResult(NotUsed.Instance);
        var rows = await done.WaitAsync(LifecycleTestKit.Deadline);

        Assert.Equal(1500, rows.Count);
        Assert.All(rows.Cast<ScoredElement>(), r => Assert.Equal("3", r.Scored.ModelVersion));
        var (version, evaluation) = Assert.Single(listener.Evaluations);
        Assert.Equal(4, version);
        Assert.Equal(400, evaluation.Events);
        Assert.Equal(1, evaluation.Labelled);
        Assert.Equal("unlabelled", evaluation.Basis);
        Assert.Equal([600L, 1200L], listener.Checkpoints.Select(c => c.LearnCount));
        Assert.All(listener.Checkpoints, c => Assert.Equal(3, c.Version));
        Assert.Equal(1200, LifecycleTestKit.Read(listener.Checkpoints[1].Model).LearnCount);
        var unflagged = rows.Cast<ScoredElement>().Where(r => !r.Scored.IsAnomaly).Select(r => r.Scored.TransactionId);
        Assert.Equal(unflagged.TakeLast(500), sample.Snapshot().Select(s => s.Transaction.TransactionId));
    }

    [Fact]
    public async Task Shadow_should_decide_by_labels_that_arrive_after_its_last_transaction_when_they_come_within_the_label_wait()
    {
        // Arrange: 200 shadowed transactions, then the stream pauses while their labels arrive.
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 23, normal: 600, drift: 0, attack: 0));
        var listener = new LifecycleTestKit.RecordingListener();
        var settings = LifecycleTestKit.Settings("shadow.events = 200, shadow.label-wait = 1h, shadow.min-positives = 20, checkpoint-every-events = 1000000");
        var flow = ModelSwapFlow.Create(LifecycleTestKit.NewScorer(), 3, settings, new TrainingSample(100), listener,
            new PipelineMetrics(new CollectorRegistry()), new LifecycleMetrics(new CollectorRegistry()));
        var start = new TaskCompletionSource<NotUsed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource<NotUsed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shadowed = new TaskCompletionSource<NotUsed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (probe, done) = Source.FromTask(start.Task).SelectMany(_ => featured.Take(250).Cast<PipelineElement>())
            .Concat(Source.FromTask(resume.Task).SelectMany(_ => featured.Skip(250).Cast<PipelineElement>()))
            .ViaMaterialized(flow, Keep.Right)
            .Select(e =>
            {
                if (e.Offset.Offset == 249) shadowed.SetResult(NotUsed.Instance);
                return e;
            })
            .ToMaterialized(Sink.Seq<PipelineElement>(), Keep.Both).Run(Sys.Materializer());
        probe.BeginShadow(LifecycleTestKit.Read(LifecycleTestKit.TrainedBytes(300)), 4);
        await listener.ShadowStarted.Task.WaitAsync(LifecycleTestKit.Deadline);
        start.SetResult(NotUsed.Instance);
        await shadowed.Task.WaitAsync(LifecycleTestKit.Deadline);
        var undecided = Evaluations(listener).Count;

        // Act: every shadowed transaction is labelled, one in ten as fraud, after the shadow ended.
        for (var i = 0; i < 200; i++)
        {
            probe.OnLabel(new Pipeline.Models.Domain.TransactionLabel(featured[i].Transaction.TransactionId, i % 10 == 0, featured[i].Transaction.Timestamp));
        }

        await WaitUntil(() => Evaluations(listener).Count > 0);
        resume.SetResult(NotUsed.Instance);
        var rows = await done.WaitAsync(LifecycleTestKit.Deadline);

        // Assert
        Assert.Equal(0, undecided);
        Assert.Equal(600, rows.Count);
        var (version, evaluation) = Assert.Single(Evaluations(listener));
        Assert.Equal(4, version);
        Assert.Equal("labels", evaluation.Basis);
        Assert.Equal(200, evaluation.Labelled);
        Assert.Equal(20, evaluation.Positives);
        Assert.NotNull(evaluation.CandidatePrAuc);
        Assert.NotNull(evaluation.ActivePrecision);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sample_should_leave_out_flagged_and_fraud_labelled_transactions_when_exclusion_is_on(bool exclude)
    {
        // Arrange: an attack, so the active model flags some transactions; two labelled fraud before
        // they are scored (the labels consumer ahead of scoring), one after.
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 25, normal: 1500, drift: 0, attack: 500));
        var flag = exclude ? "on" : "off";
        var settings = LifecycleTestKit.Settings($"sample-exclude-flagged = {flag}, sample-exclude-fraud = {flag}, checkpoint-every-events = 1000000");
        var sample = new TrainingSample(featured.Count);
        var flow = ModelSwapFlow.Create(LifecycleTestKit.NewScorer(), 3, settings, sample, new LifecycleTestKit.RecordingListener(),
            new PipelineMetrics(new CollectorRegistry()), new LifecycleMetrics(new CollectorRegistry()));
        var gate = new TaskCompletionSource<NotUsed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (probe, done) = Source.FromTask(gate.Task).SelectMany(_ => featured.Cast<PipelineElement>())
            .ViaMaterialized(flow, Keep.Right).ToMaterialized(Sink.Seq<PipelineElement>(), Keep.Both).Run(Sys.Materializer());
        string[] early = [featured[10].Transaction.TransactionId, featured[20].Transaction.TransactionId];
        foreach (var id in early) probe.OnLabel(new Pipeline.Models.Domain.TransactionLabel(id, true, DateTimeOffset.UnixEpoch));
        probe.OnLabel(new Pipeline.Models.Domain.TransactionLabel(featured[30].Transaction.TransactionId, false, DateTimeOffset.UnixEpoch));

        // Act
        gate.SetResult(NotUsed.Instance);
        var rows = (await done.WaitAsync(LifecycleTestKit.Deadline)).Cast<ScoredElement>().ToList();
        var late = rows.First(r => !r.Scored.IsAnomaly && !early.Contains(r.Scored.TransactionId) && r.Scored.TransactionId != featured[30].Transaction.TransactionId).Scored.TransactionId;
        var excludedLate = sample.Exclude(late);
        var held = sample.Snapshot().Select(s => s.Transaction.TransactionId).ToHashSet();

        // Assert
        var flagged = rows.Where(r => r.Scored.IsAnomaly).Select(r => r.Scored.TransactionId).ToList();
        Assert.NotEmpty(flagged);
        Assert.True(excludedLate);
        Assert.DoesNotContain(late, held);
        Assert.Contains(featured[30].Transaction.TransactionId, held);
        if (exclude)
        {
            Assert.All(flagged.Concat(early), id => Assert.DoesNotContain(id, held));
            Assert.Equal(rows.Count - flagged.Concat(early).Distinct().Count() - 1, held.Count);
        }
        else
        {
            Assert.All(flagged.Concat(early), id => Assert.Contains(id, held));
            Assert.Equal(rows.Count - 1, held.Count);
        }
    }

    [Theory]
    [InlineData("30s", 1)]
    [InlineData("1d", 0)]
    public async Task Shadow_should_fall_back_to_the_unlabelled_rule_only_after_the_label_wait_has_passed_in_event_time_when_no_label_arrives(string wait, int expected)
    {
        // Arrange: 300 transactions about 1 s apart in event time; the shadow covers the first 200.
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 24, normal: 300, drift: 0, attack: 0));
        var listener = new LifecycleTestKit.RecordingListener();
        var settings = LifecycleTestKit.Settings($"shadow.events = 200, shadow.label-wait = {wait}, checkpoint-every-events = 1000000");
        var flow = ModelSwapFlow.Create(LifecycleTestKit.NewScorer(), 3, settings, new TrainingSample(100), listener,
            new PipelineMetrics(new CollectorRegistry()), new LifecycleMetrics(new CollectorRegistry()));
        var gate = new TaskCompletionSource<NotUsed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (probe, done) = Source.FromTask(gate.Task).SelectMany(_ => featured.Cast<PipelineElement>())
            .ViaMaterialized(flow, Keep.Right).ToMaterialized(Sink.Seq<PipelineElement>(), Keep.Both).Run(Sys.Materializer());
        probe.BeginShadow(LifecycleTestKit.Read(LifecycleTestKit.TrainedBytes(300)), 4);
        // The candidate must be in place before the first transaction: the elements wait until the stage says so.
        await listener.ShadowStarted.Task.WaitAsync(LifecycleTestKit.Deadline);

        // Act
        gate.SetResult(NotUsed.Instance);
        var rows = await done.WaitAsync(LifecycleTestKit.Deadline);

        // Assert: 30 s pass within the last 100 transactions, a day does not.
        Assert.Equal(300, rows.Count);
        Assert.Equal(expected, Evaluations(listener).Count);
        Assert.All(Evaluations(listener), e => Assert.Equal("unlabelled", e.Evaluation.Basis));
    }

    private static List<(long Version, ShadowEvaluation Evaluation)> Evaluations(LifecycleTestKit.RecordingListener listener)
    {
        lock (listener.Evaluations) return listener.Evaluations.ToList();
    }

    private static Task WaitUntil(Func<bool> condition) =>
        Pipeline.Tests.Graph.Assembly.TransactionGraphTests.WaitUntil(condition, LifecycleTestKit.Deadline);
}
