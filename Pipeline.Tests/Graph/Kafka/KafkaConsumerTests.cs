using System.Collections.Concurrent;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Kafka;

[Trait("Category", "Integration")]
public sealed class KafkaConsumerTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly MockKafka _kafka = MockKafka.Start();

    public KafkaConsumerTests(ITestOutputHelper output)
        : base("akka.loglevel = INFO", output: output)
    {
    }

    [Fact]
    public async Task CommittableSource_should_resume_after_the_last_committed_offset_when_restarted()
    {
        var topic = _kafka.CreateTopic("restart", 4);
        var produced = _kafka.ProduceKeyed(topic, 200);
        var group = MockKafka.NewGroupId("restart");
        var settings = KafkaTestConfig.Consumer(_kafka.BootstrapServers, group).WithBufferSize(20);

        var first = RunCommitting(settings, Subscriptions.Topics(topic));
        await Eventually(() => first.Processed.Count >= 80, "the first run to process 80 records");
        await first.Control.DrainAndShutdown();
        var committedAfterFirst = _kafka.CommittedOffsets(group, MockKafka.Partitions(topic, 4));

        var second = RunCommitting(settings, Subscriptions.Topics(topic));
        await Eventually(() => first.Processed.Count + second.Processed.Count >= 200, "both runs together to process every record");
        await second.Control.DrainAndShutdown();

        var all = first.Processed.Concat(second.Processed).ToList();
        Assert.Equal(produced.Count, all.Count);
        Assert.Equal(produced.Select(d => d.Message.Key).Order(), all.Select(r => r.Message.Key).Order());
        foreach (var (tp, records) in second.Processed.GroupBy(r => r.TopicPartition).Select(g => (g.Key, g.ToList())))
        {
            Assert.Equal(committedAfterFirst[tp] ?? 0, records.Min(r => r.Offset.Value));
        }

        var end = produced.GroupBy(d => d.TopicPartition).ToDictionary(g => g.Key, g => (long?)(g.Max(d => d.Offset.Value) + 1));
        Assert.Equal(end, _kafka.CommittedOffsets(group, end.Keys));
        await second.Control.IsShutdown;
    }

    [Fact]
    public async Task DrainAndShutdown_should_commit_every_processed_offset_when_committing_synchronously()
    {
        var topic = _kafka.CreateTopic("drain", 4);
        var produced = _kafka.ProduceKeyed(topic, 400);
        var group = MockKafka.NewGroupId("drain");
        var settings = KafkaTestConfig.Consumer(_kafka.BootstrapServers, group).WithCommitMode(CommitMode.Synchronous);
        // Nothing is committed before the drain: the batch is never full and the interval never elapses.
        var committer = KafkaTestConfig.Committer().WithMaxBatch(100_000).WithMaxInterval(TimeSpan.FromHours(1));
        var processed = new ConcurrentQueue<ConsumeResult<string, string>>();
        var control = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .Throttle(100, TimeSpan.FromMilliseconds(100), 100, ThrottleMode.Shaping)
            .Select(message =>
            {
                processed.Enqueue(message.Record);
                return (ICommittable)message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(committer), DrainingControl<Done>.Create)
            .Run(Sys.Materializer());
        await Eventually(() => processed.Count >= 150, "150 records to be processed");

        await control.DrainAndShutdown();

        var expected = processed.GroupBy(r => r.TopicPartition).ToDictionary(g => g.Key, g => (long?)(g.Max(r => r.Offset.Value) + 1));
        var committed = _kafka.CommittedOffsets(group, MockKafka.Partitions(topic, 4));
        Assert.Equal(expected, committed.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value));
        Assert.True(processed.Count < produced.Count, "the drain must have stopped the source mid-stream");
        Assert.True(control.IsShutdown.IsCompletedSuccessfully);
        Assert.Equal(ConsumerState.Shutdown, control.Status().State);
        Assert.Empty(control.Status().Partitions);
    }

    [Theory]
    [InlineData(CommitMode.Synchronous)]
    [InlineData(CommitMode.StoreAndAutoCommit)]
    public async Task CommittableSource_should_lose_nothing_and_never_commit_a_revoked_partition_when_a_member_joins_and_leaves(CommitMode mode)
    {
        var topic = _kafka.CreateTopic("rebalance", 4);
        var partitions = MockKafka.Partitions(topic, 4);
        var produced = _kafka.ProduceKeyed(topic, 100).ToList();
        var group = MockKafka.NewGroupId("rebalance");
        var settings = KafkaTestConfig.Consumer(_kafka.BootstrapServers, group).WithCommitMode(mode);
        // A holds all its offsets until it drains, so the offsets of partitions it loses go stale in its committer.
        var first = RunCommitting(settings, Subscriptions.Topics(topic), KafkaTestConfig.Committer().WithMaxBatch(100_000).WithMaxInterval(TimeSpan.FromHours(1)));
        await Eventually(() => first.Processed.Count == 100, "the first member to process the first 100 records");

        var second = RunCommitting(settings, Subscriptions.Topics(topic), KafkaTestConfig.Committer().WithMaxInterval(TimeSpan.FromMilliseconds(50)));
        await Eventually(
            () => first.Control.Status().Partitions.Count == 2 && second.Control.Status().Partitions.Count == 2,
            "the group to split the partitions two and two");
        var moved = second.Control.Status().Partitions.Select(p => p.TopicPartition).ToHashSet();
        var committedWhenMoved = _kafka.CommittedOffsets(group, partitions);
        produced.AddRange(_kafka.ProduceKeyed(topic, 100, first: 100));
        var end = produced.GroupBy(d => d.TopicPartition).ToDictionary(g => g.Key, g => g.Max(d => d.Offset.Value) + 1);
        await Eventually(
            () => first.Processed.Concat(second.Processed).Select(r => r.Message.Key).Distinct().Count() == 200
                  && moved.All(tp => _kafka.CommittedOffsets(group, [tp])[tp] == end[tp]),
            "every record to be processed and the second member to commit the partitions it took over");

        await second.Control.DrainAndShutdown();
        await Eventually(() => first.Control.Status().Partitions.Count == 4, "the first member to own every partition again");
        await first.Control.DrainAndShutdown();

        // No loss: every produced record was processed.
        var all = first.Processed.Concat(second.Processed).ToList();
        Assert.Equal(produced.Select(d => d.Message.Key).Order(), all.Select(r => r.Message.Key).Distinct().Order());
        // Duplicates only of uncommitted records: nothing was committed when the partitions moved,
        // and exactly the records the first member read from the moved partitions were read twice.
        Assert.All(committedWhenMoved.Values, Assert.Null);
        var duplicates = all.GroupBy(r => r.TopicPartitionOffset).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        Assert.Equal(first.Processed.Where(r => moved.Contains(r.TopicPartition)).Select(r => r.TopicPartitionOffset).ToHashSet(), duplicates);
        // The first member's offsets of the moved partitions (read in an epoch that ended) were
        // skipped: the moved partitions keep the second member's progress.
        Assert.True(first.Control.Status().StaleOffsetsSkipped >= moved.Count);
        Assert.Equal(end.ToDictionary(e => e.Key, e => (long?)e.Value), _kafka.CommittedOffsets(group, partitions));
    }

    [Fact]
    public async Task PlainSource_should_pause_every_partition_and_keep_its_buffer_bounded_when_downstream_stalls()
    {
        var topic = _kafka.CreateTopic("slow", 4);
        var produced = _kafka.ProduceKeyed(topic, 400);
        var settings = KafkaTestConfig.Consumer(_kafka.BootstrapServers, MockKafka.NewGroupId("slow"))
            .WithBufferSize(20)
            .WithBackpressurePauseDelay(TimeSpan.FromMilliseconds(100));
        var (control, queue) = KafkaConsumer.PlainSource(settings, Subscriptions.Topics(topic))
            .ToMaterialized(Sink.Queue<ConsumeResult<string, string>>(), Keep.Both)
            .Run(Sys.Materializer());
        var maxDepth = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                maxDepth = Math.Max(maxDepth, control.Status().BufferDepth);
                await Task.Delay(1);
            }
        });

        var received = new List<ConsumeResult<string, string>> { (await queue.PullAsync().WaitAsync(Deadline)).Value };
        await Eventually(
            () => control.Status() is { Backpressured: true, PausedPartitions.Count: 4, Partitions.Count: 4 },
            "every partition to be paused while downstream does not pull");
        var whilePaused = control.Status();
        while (received.Count < produced.Count) received.Add((await queue.PullAsync().WaitAsync(Deadline)).Value);
        await Eventually(() => control.Status() is { Backpressured: false, PausedPartitions.Count: 0 }, "the partitions to be resumed");
        await sampling.CancelAsync();
        await sampler;
        await control.Shutdown();
        var afterShutdown = await queue.PullAsync().WaitAsync(Deadline);

        Assert.Equal(produced.Select(d => d.Message.Key).Order(), received.Select(r => r.Message.Key).Order());
        Assert.True(whilePaused.BufferDepth <= 20, $"buffer depth {whilePaused.BufferDepth} while paused");
        Assert.True(maxDepth <= 20, $"buffer depth reached {maxDepth}, bound 20");
        Assert.False(afterShutdown.HasValue);
    }

    [Fact]
    public async Task CommittableSource_should_serve_a_commit_at_once_while_its_buffer_is_full_and_it_waits_for_room()
    {
        // The poll thread waits for room up to poll-timeout (5 s here) while the buffer is full. A commit issued then
        // must not wait for that: in a graph the committer holds the stream back until its commit is served, so
        // a commit that waited for room would stall the very stream that makes the room.
        var topic = _kafka.CreateTopic("full", 4);
        _kafka.ProduceKeyed(topic, 200);
        var group = MockKafka.NewGroupId("full");
        var settings = KafkaTestConfig.Consumer(_kafka.BootstrapServers, group)
            .WithBufferSize(20)
            .WithPollTimeout(TimeSpan.FromSeconds(5))
            .WithBackpressurePauseDelay(TimeSpan.FromSeconds(10));
        var (control, queue) = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .ToMaterialized(Sink.Queue<CommittableMessage<string, string>>(), Keep.Both)
            .Run(Sys.Materializer());
        var first = (await queue.PullAsync().WaitAsync(Deadline)).Value;
        await Eventually(() => control.Status() is { BufferDepth: 20, Backpressured: false }, "the buffer to fill while downstream does not pull");
        // Let the poll thread settle into its wait for room.
        await Task.Delay(300);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Source.Single<ICommittable>(first.CommittableOffset)
            .RunWith(Committer.Sink(KafkaTestConfig.Committer().WithMaxBatch(1)), Sys.Materializer())
            .WaitAsync(Deadline);
        var served = watch.Elapsed;
        await control.Shutdown();

        Assert.True(served < TimeSpan.FromSeconds(2.5), $"the commit took {served.TotalMilliseconds:0} ms: it waited for the poll thread's 5 s wait for room");
        var tp = first.Record.TopicPartition;
        Assert.Equal(first.Record.Offset.Value + 1, _kafka.CommittedOffsets(group, [tp])[tp]);
    }

    [Fact]
    public async Task PlainSource_should_read_only_the_assigned_partitions_and_commit_nothing_when_manually_assigned()
    {
        var topic = _kafka.CreateTopic("assign", 4);
        var produced = _kafka.ProduceKeyed(topic, 200);
        var group = MockKafka.NewGroupId("assign");
        var assigned = new[] { new TopicPartition(topic, 0), new TopicPartition(topic, 2) };
        var expected = produced.Where(d => assigned.Contains(d.TopicPartition)).Select(d => d.TopicPartitionOffset).ToHashSet();

        var (control, result) = KafkaConsumer.PlainSource(KafkaTestConfig.Consumer(_kafka.BootstrapServers, group), Subscriptions.Assignment(assigned))
            .Take(expected.Count)
            .ToMaterialized(Sink.Seq<ConsumeResult<string, string>>(), Keep.Both)
            .Run(Sys.Materializer());
        var records = await result.WaitAsync(Deadline);
        await control.IsShutdown.WaitAsync(Deadline);

        Assert.Equal(expected, records.Select(r => r.TopicPartitionOffset).ToHashSet());
        Assert.All(_kafka.CommittedOffsets(group, MockKafka.Partitions(topic, 4)).Values, Assert.Null);
    }

    [Fact]
    public async Task PlainSource_should_fail_naming_the_record_when_a_value_cannot_be_deserialized()
    {
        var topic = _kafka.CreateTopic("poison", 1);
        _kafka.Produce(topic, [("k", "not a 32-bit integer")]);
        var settings = ConsumerSettings<string, int>.Create(KafkaTestConfig.ConsumerBlock, Deserializers.Utf8, Deserializers.Int32)
            .WithBootstrapServers(_kafka.BootstrapServers)
            .WithGroupId(MockKafka.NewGroupId("poison"));

        var (control, result) = KafkaConsumer.PlainSource(settings, Subscriptions.Topics(topic))
            .ToMaterialized(Sink.Seq<ConsumeResult<string, int>>(), Keep.Both)
            .Run(Sys.Materializer());

        var ex = await Assert.ThrowsAsync<KafkaConsumerException>(() => result.WaitAsync(Deadline));
        Assert.Contains(topic, ex.Message);
        Assert.Contains("value", ex.Message);
        await control.IsShutdown.WaitAsync(Deadline);
        Assert.Equal(ConsumerState.Failed, control.Status().State);
    }

    [Fact]
    public async Task CommittableSource_should_keep_polling_and_deliver_records_when_its_topic_is_created_later()
    {
        var topic = $"late-{Guid.NewGuid():N}";
        var settings = KafkaTestConfig.Consumer(_kafka.BootstrapServers, MockKafka.NewGroupId("late"));
        var (control, result) = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .Take(10)
            .ToMaterialized(Sink.Seq<CommittableMessage<string, string>>(), Keep.Both)
            .Run(Sys.Materializer());
        await Eventually(() => control.Status() is { State: ConsumerState.Running, LastPollAt: not null }, "the consumer to poll the missing topic");

        var produced = _kafka.ProduceKeyed(topic, 10);
        var records = await result.WaitAsync(Deadline);

        Assert.Equal(produced.Select(d => d.Message.Key).Order(), records.Select(r => r.Record.Message.Key).Order());
        await control.Shutdown().WaitAsync(Deadline);
    }

    private (DrainingControl<Done> Control, ConcurrentQueue<ConsumeResult<string, string>> Processed) RunCommitting(
        ConsumerSettings<string, string> settings,
        ISubscription subscription,
        CommitterSettings? committer = null)
    {
        var processed = new ConcurrentQueue<ConsumeResult<string, string>>();
        var control = KafkaConsumer.CommittableSource(settings, subscription)
            .Select(message =>
            {
                processed.Enqueue(message.Record);
                return (ICommittable)message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(committer ?? KafkaTestConfig.Committer()), DrainingControl<Done>.Create)
            .Run(Sys.Materializer());
        return (control, processed);
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {Deadline.TotalSeconds}s waiting for {what}");
            await Task.Delay(20);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _kafka.Dispose();
    }
}
