using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Sinks;
using Pipeline.Models.Domain;
using Pipeline.Tests.Graph.Sinks.Postgres;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Graph.Sinks;

public sealed class StoreFlowTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly PostgresTestData.FakeConsumer _consumer = new();

    [Fact]
    public async Task Create_should_hand_the_store_the_highest_offset_plus_one_per_partition_with_each_batch()
    {
        var store = new RecordingStore(failures: 0);
        PipelineElement[] elements =
        [
            Scored(0, 7, 1), Scored(1, 3, 2), Quarantined(0, 8), Scored(0, 5, 3), Skipped(1, 4), Scored(2, 0, 4),
        ];

        var emitted = await Source.From(elements)
            .Via(StoreFlow.Create(store, PostgresTestData.Store("batch-size = 100, flush-interval = 1m"), new PipelineMetrics(Metrics.NewCustomRegistry()), TimeProvider.System, Sys.Log))
            .RunWith(Sink.Seq<CommittableOffset>(), Sys.Materializer())
            .WaitAsync(Deadline);

        var write = Assert.Single(store.Writes);
        Assert.Equal(
            new Dictionary<TopicPartition, long> { [Tp(0)] = 9, [Tp(1)] = 5, [Tp(2)] = 1 },
            write.Offsets.ToDictionary(o => o.TopicPartition, o => o.NextOffset));
        Assert.All(write.Offsets, o => Assert.Equal(PostgresTestData.Group, o.GroupId));
        Assert.Equal(4, write.Rows);
        Assert.Equal(1, write.Quarantined);
        Assert.Equal(elements.Select(e => e.Offset), emitted);
    }

    [Fact]
    public async Task Create_should_retry_the_same_batch_and_emit_its_offsets_once_when_the_store_recovers()
    {
        var store = new RecordingStore(failures: 3);
        var metrics = new PipelineMetrics(Metrics.NewCustomRegistry());
        var elements = Enumerable.Range(0, 5).Select(i => (PipelineElement)Scored(0, i, i)).ToArray();

        var emitted = await Source.From(elements)
            .Via(StoreFlow.Create(store, PostgresTestData.Store("batch-size = 5, flush-interval = 1m, retry.min-backoff = 1ms, retry.max-backoff = 5ms"), metrics, TimeProvider.System, Sys.Log))
            .RunWith(Sink.Seq<CommittableOffset>(), Sys.Materializer())
            .WaitAsync(Deadline);

        Assert.Equal(4, store.Attempts);
        var write = Assert.Single(store.Writes);
        Assert.Equal(5, write.Rows);
        Assert.Equal(elements.Select(e => e.Offset), emitted);
        Assert.Equal(5, metrics.Stored);
    }

    [Fact]
    public async Task CreateCommittable_should_emit_one_committable_per_written_batch_with_the_newest_offset_per_partition()
    {
        var store = new RecordingStore(failures: 0);
        PipelineElement[] elements =
        [
            Scored(0, 7, 1), Scored(1, 3, 2), Quarantined(0, 8), Scored(0, 5, 3), Skipped(1, 4), Scored(2, 0, 4),
        ];

        var emitted = await Source.From(elements)
            .Via(StoreFlow.CreateCommittable(store, PostgresTestData.Store("batch-size = 3, flush-interval = 1m"), new PipelineMetrics(Metrics.NewCustomRegistry()), TimeProvider.System, Sys.Log))
            .RunWith(Sink.Seq<ICommittable>(), Sys.Materializer())
            .WaitAsync(Deadline);

        Assert.Equal(2, store.Writes.Count);
        Assert.Equal([3, 3], emitted.Select(c => c.BatchSize));
        Assert.Equal(
            new Dictionary<TopicPartition, long> { [Tp(0)] = 8, [Tp(1)] = 3 },
            emitted[0].Offsets.ToDictionary(o => o.TopicPartition, o => o.Offset));
        Assert.Equal(
            new Dictionary<TopicPartition, long> { [Tp(0)] = 5, [Tp(1)] = 4, [Tp(2)] = 0 },
            emitted[1].Offsets.ToDictionary(o => o.TopicPartition, o => o.Offset));
        Assert.Equal(
            new Dictionary<TopicPartition, long> { [Tp(0)] = 9, [Tp(1)] = 4 },
            store.Writes[0].Offsets.ToDictionary(o => o.TopicPartition, o => o.NextOffset));
    }

    [Fact]
    public async Task CreateCommittable_should_release_batches_in_input_order_when_a_later_concurrent_write_finishes_first()
    {
        var store = new GatedStore(concurrentWrites: 2);
        var elements = Enumerable.Range(0, 4).Select(i => (PipelineElement)Scored(0, i, i)).ToArray();
        var emitted = new List<ICommittable>();

        var done = Source.From(elements)
            .Via(StoreFlow.CreateCommittable(store, PostgresTestData.Store("batch-size = 2, flush-interval = 1m"), new PipelineMetrics(Metrics.NewCustomRegistry()), TimeProvider.System, Sys.Log))
            .RunForeach(c => { lock (emitted) emitted.Add(c); }, Sys.Materializer());
        var first = await store.Started.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
        var second = await store.Started.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
        second.Release.SetResult();
        await Task.Delay(200); // the second batch is durable; its offsets must still wait for the first
        int emittedWhileFirstPending;
        lock (emitted) emittedWhileFirstPending = emitted.Count;
        first.Release.SetResult();
        await done.WaitAsync(Deadline);

        Assert.Equal(0, emittedWhileFirstPending);
        Assert.Equal([1L, 3L], emitted.Select(c => c.Offsets.Single().Offset));
    }

    private static TopicPartition Tp(int partition) => new(PostgresTestData.Topic, partition);

    private ScoredElement Scored(int partition, long offset, int row) =>
        new(_consumer.Offset(partition, offset), DateTimeOffset.UtcNow, PostgresTestData.Row(row));

    private QuarantinedRecord Quarantined(int partition, long offset) =>
        new(_consumer.Offset(partition, offset), DateTimeOffset.UtcNow, PostgresTestData.Quarantined(partition, offset));

    private AcceptedTransaction Skipped(int partition, long offset) =>
        new(_consumer.Offset(partition, offset), DateTimeOffset.UtcNow, new Transaction
        {
            TransactionId = "skipped",
            AccountId = "acc",
            Amount = 1,
            Currency = "EUR",
            Timestamp = DateTimeOffset.UnixEpoch,
            MerchantId = "m",
            MerchantCategory = "grocery",
            Channel = "online",
            Country = "DE",
        });

    private sealed record Write(int Rows, int Quarantined, IReadOnlyList<ConsumedOffset> Offsets);

    /// <summary>Admits <c>concurrentWrites</c> writes at once; each returns when the test releases it.</summary>
    private sealed class GatedStore(int concurrentWrites) : ITransactionStore
    {
        public System.Threading.Channels.Channel<(int Rows, TaskCompletionSource Release)> Started { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<(int Rows, TaskCompletionSource Release)>();

        public string Description => "gated";

        public int ConcurrentWrites => concurrentWrites;

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteBatchAsync(IReadOnlyList<ScoredTransaction> rows, IReadOnlyList<QuarantineEntry> quarantine, CancellationToken cancellationToken, IReadOnlyList<ConsumedOffset>? offsets = null)
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Started.Writer.TryWrite((rows.Count, release));
            return release.Task;
        }

        public Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Fails the first <c>failures</c> writes, then records each write.</summary>
    private sealed class RecordingStore(int failures) : ITransactionStore
    {
        private int _attempts;

        public List<Write> Writes { get; } = [];

        public int Attempts => _attempts;

        public string Description => "recording";

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteBatchAsync(IReadOnlyList<ScoredTransaction> rows, IReadOnlyList<QuarantineEntry> quarantine, CancellationToken cancellationToken, IReadOnlyList<ConsumedOffset>? offsets = null)
        {
            if (Interlocked.Increment(ref _attempts) <= failures) return Task.FromException(new IOException("store down"));
            Writes.Add(new Write(rows.Count, quarantine.Count, offsets ?? []));
            return Task.CompletedTask;
        }

        public Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
