using System.Threading.Channels;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Kafka.Internal;
using Xunit;

namespace Pipeline.Tests.Graph.Kafka;

public sealed class CommitterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TopicPartition P0 = new("t", 0);
    private static readonly TopicPartition P1 = new("t", 1);

    public CommitterTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private static CommitterSettings Settings(int maxBatch = 100, TimeSpan? maxInterval = null) =>
        KafkaTestConfig.Committer().WithMaxBatch(maxBatch).WithMaxInterval(maxInterval ?? TimeSpan.FromHours(1));

    [Fact]
    public async Task Sink_should_commit_the_highest_offset_plus_one_per_partition_when_upstream_completes()
    {
        var consumer = new RecordingConsumer();
        var offsets = new ICommittable[] { consumer.Offset(P0, 3), consumer.Offset(P0, 7), consumer.Offset(P1, 2), consumer.Offset(P0, 5) };

        var done = Source.From(offsets).RunWith(Committer.Sink(Settings()), Sys.Materializer());

        await done.WaitAsync(Deadline);
        var commit = await consumer.NextCommit();
        Assert.Equal("upstream completed", commit.Trigger);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 8, [P1] = 3 }, commit.NextOffsets);
        Assert.False(consumer.HasMoreCommits);
    }

    [Fact]
    public async Task Sink_should_send_a_batch_when_max_batch_offsets_arrived()
    {
        var consumer = new RecordingConsumer();
        var (queue, done) = Source.Queue<ICommittable>(10, OverflowStrategy.Backpressure)
            .ToMaterialized(Committer.Sink(Settings(maxBatch: 3)), Keep.Both)
            .Run(Sys.Materializer());

        await queue.OfferAsync(consumer.Offset(P0, 0));
        await queue.OfferAsync(consumer.Offset(P1, 0));
        await queue.OfferAsync(consumer.Offset(P0, 1));
        var full = await consumer.NextCommit();
        await queue.OfferAsync(consumer.Offset(P1, 1));
        queue.Complete();
        await done.WaitAsync(Deadline);
        var last = await consumer.NextCommit();

        Assert.Equal("batch full", full.Trigger);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 2, [P1] = 1 }, full.NextOffsets);
        Assert.Equal("upstream completed", last.Trigger);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P1] = 2 }, last.NextOffsets);
    }

    [Fact]
    public async Task Sink_should_send_a_partial_batch_when_max_interval_elapses()
    {
        var consumer = new RecordingConsumer();
        var (queue, done) = Source.Queue<ICommittable>(1, OverflowStrategy.Backpressure)
            .ToMaterialized(Committer.Sink(Settings(maxInterval: TimeSpan.FromSeconds(1))), Keep.Both)
            .Run(Sys.Materializer());
        await queue.OfferAsync(consumer.Offset(P0, 41));
        // With a one-slot queue this offer completes only once the first offset left the queue
        // for the committer, so the committer runs and its interval timer is armed.
        await queue.OfferAsync(consumer.Offset(P0, 40));

        Scheduler.Advance(TimeSpan.FromMilliseconds(999));
        var beforeInterval = consumer.HasMoreCommits;
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var commit = await consumer.NextCommit();
        queue.Complete();
        await done.WaitAsync(Deadline);

        Assert.False(beforeInterval);
        Assert.Equal("interval", commit.Trigger);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 42 }, commit.NextOffsets);
    }

    [Fact]
    public async Task Sink_should_send_the_partial_batch_before_failing_when_upstream_fails()
    {
        var consumer = new RecordingConsumer();
        var (queue, done) = Source.Queue<ICommittable>(10, OverflowStrategy.Backpressure)
            .ToMaterialized(Committer.Sink(Settings()), Keep.Both)
            .Run(Sys.Materializer());
        await queue.OfferAsync(consumer.Offset(P0, 9));
        await queue.OfferAsync(consumer.Offset(P1, 4));
        var failure = new InvalidOperationException("database down");

        queue.Fail(failure);

        var commit = await consumer.NextCommit();
        Assert.Equal("emergency commit on upstream failure", commit.Trigger);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 10, [P1] = 5 }, commit.NextOffsets);
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => done.WaitAsync(Deadline));
        Assert.Same(failure, thrown);
    }

    [Fact]
    public async Task Sink_should_complete_only_after_the_consumer_confirmed_when_waiting_for_ack()
    {
        var confirmation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new RecordingConsumer(() => confirmation.Task);

        var done = Source.Single<ICommittable>(consumer.Offset(P0, 1)).RunWith(Committer.Sink(Settings()), Sys.Materializer());
        await consumer.NextCommit();
        var completedBeforeConfirmation = done.IsCompleted;
        confirmation.SetResult();
        await done.WaitAsync(Deadline);

        Assert.False(completedBeforeConfirmation);
    }

    [Fact]
    public async Task Sink_should_complete_without_waiting_for_the_consumer_when_sending_and_forgetting()
    {
        var never = new TaskCompletionSource();
        var consumer = new RecordingConsumer(() => never.Task);

        var done = Source.Single<ICommittable>(consumer.Offset(P0, 1))
            .RunWith(Committer.Sink(Settings().WithDelivery(CommitDelivery.SendAndForget)), Sys.Materializer());

        await done.WaitAsync(Deadline);
        Assert.Equal(2, (await consumer.NextCommit()).NextOffsets[P0]);
    }

    [Fact]
    public async Task Sink_should_fail_with_the_consumers_error_when_a_commit_is_refused()
    {
        var consumer = new RecordingConsumer(() => Task.FromException(new CommitFailedException("the broker refused the offsets")));

        var done = Source.Single<ICommittable>(consumer.Offset(P0, 1)).RunWith(Committer.Sink(Settings()), Sys.Materializer());

        var ex = await Assert.ThrowsAsync<CommitFailedException>(() => done.WaitAsync(Deadline));
        Assert.Contains("refused", ex.Message);
    }

    [Fact]
    public async Task Flow_should_emit_one_done_per_batch_sent()
    {
        var consumer = new RecordingConsumer();
        var offsets = Enumerable.Range(0, 5).Select(i => (ICommittable)consumer.Offset(P0, i));

        var emitted = await Source.From(offsets).Via(Committer.Flow(Settings(maxBatch: 2))).RunWith(Sink.Seq<Done>(), Sys.Materializer()).WaitAsync(Deadline);

        Assert.Equal(3, emitted.Count);
        Assert.Equal([2L, 4L, 5L], new[] { await consumer.NextCommit(), await consumer.NextCommit(), await consumer.NextCommit() }.Select(c => c.NextOffsets[P0]));
    }

    [Fact]
    public async Task Sink_should_count_batches_by_their_records_and_commit_their_newest_offsets_when_fed_batches()
    {
        var consumer = new RecordingConsumer();
        var first = CommittableOffsetBatch.Empty.Updated(consumer.Offset(P0, 4)).Updated(consumer.Offset(P1, 9));
        var second = CommittableOffsetBatch.Empty.Updated(consumer.Offset(P0, 6)).Updated(consumer.Offset(P0, 5));
        var (queue, done) = Source.Queue<ICommittable>(10, OverflowStrategy.Backpressure)
            .ToMaterialized(Committer.Sink(Settings(maxBatch: 4)), Keep.Both)
            .Run(Sys.Materializer());

        await queue.OfferAsync(first);
        await queue.OfferAsync(second);
        var full = await consumer.NextCommit();
        queue.Complete();
        await done.WaitAsync(Deadline);

        // Two batches of two records each fill max-batch 4: one commit covers both.
        Assert.Equal("batch full", full.Trigger);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 7, [P1] = 10 }, full.NextOffsets);
        Assert.False(consumer.HasMoreCommits);
    }

    [Fact]
    public void CommittableOffsetBatch_should_keep_the_newest_epoch_then_the_highest_offset_when_updated()
    {
        var consumer = new RecordingConsumer();

        var batch = CommittableOffsetBatch.Empty
            .Updated(consumer.Offset(P0, 100, epoch: 1))
            .Updated(consumer.Offset(P0, 5, epoch: 2))
            .Updated(consumer.Offset(P0, 3, epoch: 2))
            .Updated(consumer.Offset(P1, 7, epoch: 1));

        Assert.Equal(4, batch.BatchSize);
        Assert.Equal(
            [(P0, 5L, 2), (P1, 7L, 1)],
            batch.Offsets.OrderBy(o => o.TopicPartition.Partition.Value).Select(o => (o.TopicPartition, o.Offset, o.Epoch)));
    }

    /// <summary>Stands in for a consumer's poll thread: records what the committer hands it.</summary>
    private sealed class RecordingConsumer(Func<Task>? reply = null) : IConsumerHost
    {
        private readonly Channel<Received> _commits = Channel.CreateUnbounded<Received>();

        public string GroupId => "committer-tests";

        public bool HasMoreCommits => _commits.Reader.TryPeek(out _);

        public CommittableOffset Offset(TopicPartition tp, long offset, int epoch = 1) => new(this, tp, offset, epoch);

        public Task Commit(IReadOnlyList<OffsetToCommit> offsets, string trigger)
        {
            _commits.Writer.TryWrite(new Received(offsets.ToDictionary(o => o.TopicPartition, o => o.NextOffset), trigger));
            return reply?.Invoke() ?? Task.CompletedTask;
        }

        public async Task<Received> NextCommit() => await _commits.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
    }

    private sealed record Received(Dictionary<TopicPartition, long> NextOffsets, string Trigger);
}
