using Confluent.Kafka;
using Pipeline.Graph.Kafka;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// A throwaway Kafka-protocol broker for integration tests (librdkafka's in-process mock
/// cluster) plus the plain Confluent clients tests need around it: create topics, produce keyed
/// records synchronously, read a group's committed offsets without joining the group.
/// </summary>
public sealed class MockKafka : IDisposable
{
    private readonly Lazy<IProducer<string, string>> _producer;

    private MockKafka(MockKafkaCluster cluster)
    {
        Cluster = cluster;
        _producer = new Lazy<IProducer<string, string>>(() => new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 1,
        }).Build());
    }

    /// <summary>The cluster.</summary>
    public MockKafkaCluster Cluster { get; }

    /// <summary>Its bootstrap servers.</summary>
    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>Starts a one-broker cluster.</summary>
    public static MockKafka Start() => new(MockKafkaCluster.Start());

    /// <summary>Creates a topic with a unique name starting with <paramref name="prefix"/> and returns the name.</summary>
    public string CreateTopic(string prefix, int partitions)
    {
        var topic = $"{prefix}-{Guid.NewGuid():N}";
        Cluster.CreateTopic(topic, partitions);
        return topic;
    }

    /// <summary>A group id unique to one test.</summary>
    public static string NewGroupId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>All partitions of a topic created with <paramref name="partitions"/> partitions.</summary>
    public static TopicPartition[] Partitions(string topic, int partitions) =>
        Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, new Partition(p))).ToArray();

    /// <summary>
    /// Produces <paramref name="count"/> records keyed <c>k{i}</c> with values <c>v{i}</c> for
    /// i = <paramref name="first"/> … and waits until every one is acknowledged.
    /// </summary>
    /// <returns>Where each record landed, in production order.</returns>
    public IReadOnlyList<DeliveryResult<string, string>> ProduceKeyed(string topic, int count, int first = 0) =>
        Produce(topic, Enumerable.Range(first, count).Select(i => ($"k{i}", $"v{i}")));

    /// <summary>Produces the records and waits until every one is acknowledged; throws on the first failed delivery.</summary>
    public IReadOnlyList<DeliveryResult<string, string>> Produce(string topic, IEnumerable<(string Key, string Value)> records)
    {
        var pending = records
            .Select(r => _producer.Value.ProduceAsync(topic, new Message<string, string> { Key = r.Key, Value = r.Value }))
            .ToArray();
        _producer.Value.Flush(TimeSpan.FromSeconds(30));
        return Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The offsets <paramref name="groupId"/> has committed for <paramref name="partitions"/>
    /// (<c>null</c> where none), read with a consumer that does not join the group.
    /// </summary>
    public IReadOnlyDictionary<TopicPartition, long?> CommittedOffsets(string groupId, IEnumerable<TopicPartition> partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
        }).Build();
        return consumer.Committed(partitions, TimeSpan.FromSeconds(10))
            .ToDictionary(tpo => tpo.TopicPartition, tpo => tpo.Offset.IsSpecial ? (long?)null : tpo.Offset.Value);
    }

    /// <summary>Stops the producer and the cluster.</summary>
    /// <summary>
    /// Reads <paramref name="topic"/> from the start in a fresh group until <paramref name="count"/> records
    /// arrived or 30 s passed; the caller asserts on how many came back.
    /// </summary>
    public static List<ConsumeResult<string, string>> ReadFromStart(string bootstrapServers, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = NewGroupId("reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record) records.Add(record);
        }

        consumer.Close();
        return records;
    }

    public void Dispose()
    {
        if (_producer.IsValueCreated) _producer.Value.Dispose();
        Cluster.Dispose();
    }
}
