using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Windows;
using Pipeline.Models.Domain;
using Pipeline.Tests.Models.Features;
using Pipeline.Tests.TestKit;
using Prometheus;
using Xunit;
using static Pipeline.Tests.Graph.Windows.WindowsTestKit;

namespace Pipeline.Tests.Graph.Windows;

public sealed class AccountWindowsFlowTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset T0 = FeatureTestData.Start;
    private readonly FakeConsumer _consumer = new();
    private readonly WindowsMetrics _metrics = new(new CollectorRegistry());

    public AccountWindowsFlowTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private Flow<PipelineElement, PipelineElement, Akka.NotUsed> Windows(IFeatureStateStore store, WindowSettings? settings = null) =>
        AccountWindowsFlow.Create(settings ?? Settings(), store, TimeProvider.System, _metrics, Sys.Log);

    [Fact]
    public async Task Create_should_emit_features_in_input_order_and_pass_other_elements_through_when_accounts_interleave()
    {
        var quarantined = new QuarantinedRecord(_consumer.Offset(new("transactions", 0), 2), T0, new QuarantineEntry(T0, "transactions", 0, 2, "decode", "not_json", "bad", new byte[] { 1 }));
        var input = new PipelineElement[]
        {
            Accepted(_consumer, 0, "a", T0, 10),
            Accepted(_consumer, 1, "b", T0.AddSeconds(1), 100),
            quarantined,
            Accepted(_consumer, 3, "a", T0.AddSeconds(2), 30),
        };

        var output = await Source.From(input).Via(Windows(new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System)))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer()).WaitAsync(Deadline);

        Assert.Equal(input.Select(e => e.Offset.Offset), output.Select(e => e.Offset.Offset));
        Assert.Same(quarantined, output[2]);
        var a2 = Assert.IsType<FeaturedTransaction>(output[3]);
        Assert.Equal(2, a2.Features.Windows[0].Count);
        Assert.Equal(40, a2.Features.Windows[0].Sum);
        Assert.Equal(1, Assert.IsType<FeaturedTransaction>(output[1]).Features.Windows[0].Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Create_should_give_every_transaction_the_features_of_its_own_account_state_in_input_order_when_many_accounts_interleave(int seed)
    {
        var random = new Random(seed);
        var options = Settings().ToFeatureOptions();
        var input = new List<PipelineElement>();
        for (var i = 0; i < 4000; i++)
        {
            var offset = _consumer.Offset(new("transactions", i % 4), i);
            input.Add(random.Next(25) == 0
                ? new QuarantinedRecord(offset, T0, new QuarantineEntry(T0, "transactions", i % 4, i, "decode", "not_json", "bad", new byte[] { 1 }))
                : new AcceptedTransaction(offset, T0, FeatureTestData.Tx(T0.AddSeconds(i - random.Next(20)), 1 + random.Next(500), "m" + random.Next(40), account: "acct-" + random.Next(150))));
        }

        // The straightforward path: one state per account, every transaction processed as it comes.
        var states = new Dictionary<string, Pipeline.Models.Features.AccountState>();
        var expected = input.OfType<AcceptedTransaction>().Select(a =>
        {
            if (!states.TryGetValue(a.Transaction.AccountId, out var state)) states.Add(a.Transaction.AccountId, state = new(options));
            return state.Process(a.Transaction, new(a.Offset.TopicPartition.Topic, a.Offset.TopicPartition.Partition.Value, a.Offset.Offset));
        }).ToList();

        var output = await Source.From(input).Via(Windows(new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System)))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer()).WaitAsync(Deadline);

        Assert.Equal(input.Select(e => e.Offset.Offset), output.Select(e => e.Offset.Offset));
        Assert.All(input.OfType<QuarantinedRecord>(), q => Assert.Same(q, output[(int)q.Offset.Offset]));
        Assert.Equal(expected, output.OfType<FeaturedTransaction>().Select(f => f.Features));
    }

    [Fact]
    public async Task Create_should_emit_each_transaction_without_waiting_for_more_when_upstream_has_nothing_else_to_give()
    {
        var store = new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System);
        var (source, sink) = TestSource.Probe<PipelineElement>(this).Via(Windows(store)).ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both).Run(Sys.Materializer());
        await sink.RequestAsync(10);

        await source.SendNextAsync(Accepted(_consumer, 0, "a", T0, 10));
        var first = Assert.IsType<FeaturedTransaction>(await sink.ExpectNextAsync(Deadline));
        await source.SendNextAsync(Accepted(_consumer, 1, "b", T0.AddSeconds(1), 20));
        var second = Assert.IsType<FeaturedTransaction>(await sink.ExpectNextAsync(Deadline));
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync(Deadline);

        Assert.Equal([0L, 1L], new[] { first.Offset.Offset, second.Offset.Offset });
    }

    [Fact]
    public async Task Create_should_emit_a_burst_completely_when_upstream_then_stays_idle_without_completing()
    {
        var burst = Enumerable.Range(0, 3).Select(i => (PipelineElement)Accepted(_consumer, i, "acct-" + i, T0.AddSeconds(i), 1)).ToList();
        var sink = Source.From(burst).Concat(Source.Never<PipelineElement>())
            .Via(Windows(new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System)))
            .RunWith(TestSink.Probe<PipelineElement>(this), Sys.Materializer());

        await sink.RequestAsync(10);
        var emitted = await sink.ExpectNextNAsync(3, Deadline);
        await sink.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await sink.CancelAsync();

        Assert.Equal([0L, 1L, 2L], emitted.Select(e => e.Offset.Offset));
        Assert.All(emitted, e => Assert.IsType<FeaturedTransaction>(e));
    }

    [Fact]
    public async Task Create_should_fail_with_the_upstream_error_when_upstream_fails_behind_a_burst()
    {
        var burst = Enumerable.Range(0, 3).Select(i => (PipelineElement)Accepted(_consumer, i, "acct-" + i, T0.AddSeconds(i), 1)).ToList();
        var error = new IOException("broker gone");

        var run = Source.From(burst).Concat(Source.Failed<PipelineElement>(error))
            .Via(Windows(new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System)))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer());

        var thrown = await Assert.ThrowsAsync<IOException>(() => run.WaitAsync(Deadline));
        Assert.Same(error, thrown);
    }

    [Fact]
    public async Task Create_should_hold_a_transaction_until_the_checkpoint_holding_it_is_stored()
    {
        var store = new GatedStore();
        var (source, sink) = TestSource.Probe<PipelineElement>(this).Via(Windows(store)).ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both).Run(Sys.Materializer());
        await sink.RequestAsync(5);
        await source.SendNextAsync(Accepted(_consumer, 0, "a", T0, 10));
        await AwaitConditionAsync(() => Task.FromResult(store.PendingLoads == 1), Deadline);
        await store.ReleaseLoadAsync();

        await sink.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // featurized, not yet checkpointed
        Scheduler.Advance(Settings().CheckpointInterval);
        await AwaitConditionAsync(() => Task.FromResult(store.PendingSaves == 1), Deadline);
        await sink.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // checkpoint written, not yet acknowledged
        await store.ReleaseSaveAsync();
        var emitted = Assert.IsType<FeaturedTransaction>(await sink.ExpectNextAsync(Deadline));
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync(Deadline);

        Assert.Equal(0, emitted.Offset.Offset);
        Assert.NotNull(await store.Inner.LoadAsync(["a"], CancellationToken.None).ContinueWith(t => t.Result[0]));
    }

    [Fact]
    public async Task Create_should_batch_loads_and_keep_each_account_in_order_when_the_store_answers_late()
    {
        var store = new GatedStore();
        var seeded = new Pipeline.Models.Features.AccountState(Settings().ToFeatureOptions());
        seeded.Process(FeatureTestData.Tx(T0.AddSeconds(-10), 50, account: "b"), new("transactions", 0, 99));
        await store.Inner.SaveAsync([new FeatureCheckpoint("b", seeded.LastApplied!.Value, seeded.ToBytes())], CancellationToken.None);
        var (source, sink) = TestSource.Probe<PipelineElement>(this).Via(Windows(store)).ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both).Run(Sys.Materializer());
        await sink.RequestAsync(10);

        await source.SendNextAsync(Accepted(_consumer, 100, "a", T0, 1));
        await AwaitConditionAsync(() => Task.FromResult(store.PendingLoads == 1), Deadline);
        await source.SendNextAsync(Accepted(_consumer, 101, "b", T0.AddSeconds(1), 2));
        await source.SendNextAsync(Accepted(_consumer, 102, "a", T0.AddSeconds(2), 3));
        await source.SendNextAsync(Accepted(_consumer, 103, "c", T0.AddSeconds(3), 4));
        await source.SendCompleteAsync();
        await store.ReleaseLoadAsync();
        await AwaitConditionAsync(() => Task.FromResult(store.PendingLoads == 1), Deadline);
        await store.ReleaseLoadAsync();
        // a's checkpoint starts as soon as a's records are applied, b's and c's follow together.
        for (var i = 0; i < 2; i++)
        {
            await AwaitConditionAsync(() => Task.FromResult(store.PendingSaves == 1), Deadline);
            await store.ReleaseSaveAsync();
        }

        var output = (await sink.ToStrictAsync(Deadline)).Cast<FeaturedTransaction>().ToList();

        Assert.Equal([["a"], ["b", "c"]], store.LoadBatches);
        Assert.Equal([100L, 101, 102, 103], output.Select(o => o.Offset.Offset));
        Assert.Equal(2, output[2].Features.Windows[0].Count); // a's second record after its first
        Assert.Equal(2, output[1].Features.Windows[0].Count); // b continued from its stored state
        Assert.Equal(1, output[1].Features.HistoryCount);
    }

    [Fact]
    public async Task Create_should_evict_an_idle_account_after_the_idle_ttl_and_restore_it_from_the_store()
    {
        var settings = Settings() with { IdleTtl = TimeSpan.FromMinutes(1) };
        var store = new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System);
        var (source, sink) = TestSource.Probe<PipelineElement>(this).Via(Windows(store, settings)).ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both).Run(Sys.Materializer());
        await sink.RequestAsync(10);
        await source.SendNextAsync(Accepted(_consumer, 0, "quiet", T0, 10));
        await source.SendNextAsync(Accepted(_consumer, 1, "busy", T0, 10));
        Scheduler.Advance(settings.CheckpointInterval);
        await sink.ExpectNextNAsync(2, Deadline);

        // Sweeps run every idle-ttl / 4 = 15 s.
        for (var i = 0; i < 3; i++) Scheduler.Advance(TimeSpan.FromSeconds(15));
        await source.SendNextAsync(Accepted(_consumer, 2, "busy", T0.AddSeconds(45), 10));
        for (var i = 0; i < 2; i++) Scheduler.Advance(TimeSpan.FromSeconds(15)); // quiet: 75 s without records (> 1.25 x idle-ttl); busy: 30 s
        await AwaitConditionAsync(() => Task.FromResult(_metrics.Evicted == 1), Deadline);
        var accountsAfterEviction = _metrics.Accounts;
        await source.SendNextAsync(Accepted(_consumer, 3, "quiet", T0.AddMinutes(2), 5));
        Scheduler.Advance(settings.CheckpointInterval);
        await source.SendCompleteAsync();
        var rest = (await sink.ToStrictAsync(Deadline)).Cast<FeaturedTransaction>().ToList();

        Assert.Equal(1, accountsAfterEviction);
        var quiet = rest.Single(r => r.Transaction.AccountId == "quiet");
        Assert.Equal(2, quiet.Features.Windows[1].Count); // restored from the store: both records in the hour
        Assert.Equal(1, quiet.Features.HistoryCount);
    }

    [Fact]
    public async Task Create_should_flag_and_count_late_events_and_never_hold_back_other_accounts()
    {
        var input = new PipelineElement[]
        {
            Accepted(_consumer, 0, "a", T0.AddHours(5), 10),
            Accepted(_consumer, 1, "quiet", T0, 10), // hours behind a, but a is another account: on time
            Accepted(_consumer, 2, "a", T0.AddHours(4), 10), // an hour behind a's own newest event: late
        };

        var output = (await Source.From(input).Via(Windows(new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System)))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer()).WaitAsync(Deadline)).Cast<FeaturedTransaction>().ToList();

        Assert.Equal([false, false, true], output.Select(o => o.Late));
        Assert.True(output[2].Features.Late);
        Assert.Equal(1, _metrics.Late);
    }

    [Fact]
    public async Task Create_should_continue_exactly_and_not_double_count_replays_when_a_new_flow_takes_over_the_store()
    {
        var store = new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System);
        var records = Enumerable.Range(0, 40).Select(i => Accepted(_consumer, i, i % 3 == 0 ? "x" : "y", T0.AddSeconds(i * 7), 1 + (i * 3 % 17))).ToList();
        var uninterrupted = await Run(new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System), records);

        await Run(store, records.Take(25));
        var resumed = await Run(store, records.Skip(18)); // 18..24 are redelivered

        Assert.All(resumed.Take(7), r => Assert.True(r.Features.Replayed));
        Assert.Equal(uninterrupted.Skip(25).Select(r => r.Features), resumed.Skip(7).Select(r => r.Features));
        Assert.Equal(7, _metrics.Replayed);
    }

    [Fact]
    public async Task Create_should_adopt_the_stored_state_when_a_partition_comes_back_with_a_new_epoch()
    {
        var store = new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System);
        var other = new FakeConsumer();
        var (source, sink) = TestSource.Probe<PipelineElement>(this).Via(Windows(store)).ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both).Run(Sys.Materializer());
        await sink.RequestAsync(10);
        await source.SendNextAsync(Accepted(_consumer, 0, "a", T0, 1, epoch: 1));
        Scheduler.Advance(Settings().CheckpointInterval);
        await sink.ExpectNextAsync(Deadline);

        // Meanwhile the partition was owned by another host, which applied offsets 1 and 2.
        await Run(store, [Accepted(other, 1, "a", T0.AddSeconds(1), 1), Accepted(other, 2, "a", T0.AddSeconds(2), 1)]);
        await source.SendNextAsync(Accepted(_consumer, 3, "a", T0.AddSeconds(3), 1, epoch: 2));
        Scheduler.Advance(Settings().CheckpointInterval);
        var back = Assert.IsType<FeaturedTransaction>(await sink.ExpectNextAsync(Deadline));
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync(Deadline);

        Assert.Equal(4, back.Features.Windows[0].Count);
        Assert.Equal(3, back.Features.HistoryCount);
    }

    [Fact]
    public async Task Create_should_hand_an_account_to_the_other_flow_of_the_process_and_back_when_its_partition_moves_between_them()
    {
        var store = new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System);
        var other = new FakeConsumer();
        var (sourceA, sinkA) = TestSource.Probe<PipelineElement>(this).Via(Windows(store)).ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both).Run(Sys.Materializer());
        var (sourceB, sinkB) = TestSource.Probe<PipelineElement>(this).Via(Windows(store)).ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both).Run(Sys.Materializer());
        await sinkA.RequestAsync(10);
        await sinkB.RequestAsync(10);
        await sourceA.SendNextAsync(Accepted(_consumer, 0, "a", T0, 1, epoch: 1));
        await sourceA.SendNextAsync(Accepted(_consumer, 1, "a", T0.AddSeconds(1), 1, epoch: 1));
        await sinkA.ExpectNextNAsync(2, Deadline); // emitted without a checkpoint: the store is in this process

        // The partition is revoked from A and assigned to B while both keep running.
        await sourceB.SendNextAsync(Accepted(other, 2, "a", T0.AddSeconds(2), 1, epoch: 1));
        var onB = Assert.IsType<FeaturedTransaction>(await sinkB.ExpectNextAsync(Deadline));

        // Then it comes back to A.
        await sourceA.SendNextAsync(Accepted(_consumer, 3, "a", T0.AddSeconds(3), 1, epoch: 2));
        var backOnA = Assert.IsType<FeaturedTransaction>(await sinkA.ExpectNextAsync(Deadline));
        await sourceA.SendCompleteAsync();
        await sourceB.SendCompleteAsync();
        await sinkA.ExpectCompleteAsync(Deadline);
        await sinkB.ExpectCompleteAsync(Deadline);

        Assert.Equal(3, onB.Features.Windows[0].Count);
        Assert.Equal(2, onB.Features.HistoryCount);
        Assert.Equal(4, backOnA.Features.Windows[0].Count);
        Assert.Equal(3, backOnA.Features.HistoryCount);
        var stored = (await store.LoadAsync(["a"], CancellationToken.None))[0];
        Assert.Equal(4, Pipeline.Models.Features.AccountState.FromBytes(stored, Settings().ToFeatureOptions()).HistoryCount);
    }

    [Fact]
    public async Task Create_should_keep_emitting_and_report_degraded_when_the_store_fails_then_resume_checkpoints_when_it_recovers()
    {
        var store = new FlakyStore { Failing = true };
        var settings = Settings();
        var (source, sink) = TestSource.Probe<PipelineElement>(this).Via(Windows(store, settings)).ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both).Run(Sys.Materializer());
        await sink.RequestAsync(10);

        await EventFilter.Warning(contains: "continue on in-memory state only").ExpectOneAsync(async () =>
        {
            await source.SendNextAsync(Accepted(_consumer, 0, "a", T0, 1));
            await source.SendNextAsync(Accepted(_consumer, 1, "a", T0.AddSeconds(1), 2));
            Scheduler.Advance(settings.CheckpointInterval);
            await sink.ExpectNextNAsync(2, Deadline);
        });
        var degraded = _metrics.Degraded;
        var stateWhileDown = await store.Inner.LoadAsync(["a"], CancellationToken.None);

        store.Failing = false;
        Scheduler.Advance(settings.RetryInterval);
        await AwaitConditionAsync(() => Task.FromResult(!_metrics.Degraded), Deadline);
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync(Deadline);

        Assert.True(degraded);
        Assert.Null(stateWhileDown[0]);
        var stored = (await store.Inner.LoadAsync(["a"], CancellationToken.None))[0];
        Assert.Equal(2, Pipeline.Models.Features.AccountState.FromBytes(stored, settings.ToFeatureOptions()).HistoryCount);
    }

    private async Task<List<FeaturedTransaction>> Run(IFeatureStateStore store, IEnumerable<PipelineElement> records) =>
        (await Source.From(records.ToList()).Via(Windows(store)).RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer()).WaitAsync(Deadline))
            .Cast<FeaturedTransaction>().ToList();
}
