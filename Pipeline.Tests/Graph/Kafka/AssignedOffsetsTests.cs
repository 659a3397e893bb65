using System.Collections.Concurrent;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Tests.Graph.Sinks.Postgres;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Kafka;

/// <summary>
/// With offsets stored beside the rows (<c>store-offsets = on</c>), a newly assigned partition starts
/// where its rows end, not at the group's Kafka commit, which may lag one batch behind after a crash.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AssignedOffsetsTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly MockKafka _kafka = MockKafka.Start();

    public AssignedOffsetsTests(ITestOutputHelper output)
        : base("akka.loglevel = INFO", output: output)
    {
    }

    [Fact]
    public async Task CommittableSource_should_start_assigned_partitions_at_the_offsets_the_store_wrote_with_its_rows()
    {
        var topic = _kafka.CreateTopic("assigned", 2);
        var produced = _kafka.Produce(topic, Enumerable.Range(0, 100).Select(i => ($"k{i}", $"v{i}")));
        var group = MockKafka.NewGroupId("assigned");
        var store = new PostgresTransactionStore(PostgresTestData.Settings(await PostgresServer.Shared.CreateDatabaseAsync(), storeOffsets: true));
        await store.InitializeAsync(CancellationToken.None);
        var p0 = new TopicPartition(topic, 0);
        // Rows up to offset 30 of partition 0 are written (with their offsets) but Kafka never saw the commit.
        await store.WriteBatchAsync([PostgresTestData.Row(1)], [], CancellationToken.None, [new ConsumedOffset(group, p0, 30)]);

        var firstSeen = await FirstOffsetsAsync(KafkaTestConfig.Consumer(_kafka.BootstrapServers, group).WithAssignedOffsets(store), topic, produced.Count - 30);

        Assert.Equal(30, firstSeen[p0]);
        Assert.Equal(0, firstSeen[new TopicPartition(topic, 1)]); // no stored row: the group's (empty) commit decides
        await store.DisposeAsync();
    }

    [Fact]
    public async Task CommittableSource_should_start_at_the_committed_offsets_when_the_store_keeps_no_offsets()
    {
        var topic = _kafka.CreateTopic("not-kept", 2);
        var produced = _kafka.Produce(topic, Enumerable.Range(0, 60).Select(i => ($"k{i}", $"v{i}")));
        var group = MockKafka.NewGroupId("not-kept");
        var connectionString = await PostgresServer.Shared.CreateDatabaseAsync();
        var store = new PostgresTransactionStore(PostgresTestData.Settings(connectionString, storeOffsets: false));
        await store.InitializeAsync(CancellationToken.None);

        Assert.False(store.KeepsOffsets);
        var firstSeen = await FirstOffsetsAsync(KafkaTestConfig.Consumer(_kafka.BootstrapServers, group), topic, produced.Count);

        Assert.All(firstSeen.Values, offset => Assert.Equal(0, offset));
        await store.DisposeAsync();
    }

    [Fact]
    public async Task CommittableSource_should_fail_with_a_clear_error_when_the_stored_offsets_cannot_be_read()
    {
        var topic = _kafka.CreateTopic("unreadable", 1);
        _kafka.Produce(topic, [("k", "v")]);
        var settings = KafkaTestConfig.Consumer(_kafka.BootstrapServers, MockKafka.NewGroupId("unreadable"))
            .WithAssignedOffsets(new UnreachableOffsets());

        var completion = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .RunWith(Sink.Ignore<CommittableMessage<string, string>>(), Sys.Materializer());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => completion.WaitAsync(Deadline));
        Assert.Contains("could not read the stored offsets", error.ToString());
        Assert.Contains("database is down", error.ToString());
    }

    public new void Dispose()
    {
        _kafka.Dispose();
        base.Dispose();
    }

    private async Task<IReadOnlyDictionary<TopicPartition, long>> FirstOffsetsAsync(ConsumerSettings<string, string> settings, string topic, int expected)
    {
        var seen = new ConcurrentQueue<ConsumeResult<string, string>>();
        var control = KafkaConsumer.CommittableSource(settings, Subscriptions.Topics(topic))
            .Select(message =>
            {
                seen.Enqueue(message.Record);
                return (ICommittable)message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(KafkaTestConfig.Committer()), DrainingControl<Done>.Create)
            .Run(Sys.Materializer());
        var started = DateTime.UtcNow;
        while (seen.Count < expected && DateTime.UtcNow - started < Deadline) await Task.Delay(50);
        await control.DrainAndShutdown();
        Assert.Equal(expected, seen.Count);
        return seen.GroupBy(r => r.TopicPartition).ToDictionary(g => g.Key, g => g.Min(r => r.Offset.Value));
    }

    private sealed class UnreachableOffsets : IAssignedOffsetsSource
    {
        public bool KeepsOffsets => true;

        public Task<IReadOnlyDictionary<TopicPartition, long>> LoadOffsetsAsync(
            string groupId, IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken) =>
            Task.FromException<IReadOnlyDictionary<TopicPartition, long>>(new InvalidOperationException("database is down"));
    }
}
