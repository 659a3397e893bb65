using Confluent.Kafka;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// One record to write to Kafka: topic, key and value, plus an optional fixed partition, headers
/// and create-time timestamp. Without a partition the producer's partitioner picks one from the
/// key (librdkafka's <c>partitioner</c>, consistent-random by default), so records with the same
/// key keep their order.
/// </summary>
/// <typeparam name="TKey">The key type; <see cref="Null"/> for records without a key.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed record ProducerRecord<TKey, TValue>(string Topic, TKey Key, TValue Value)
{
    /// <summary>The topic to write to; never empty.</summary>
    public string Topic { get; init; } = !string.IsNullOrEmpty(Topic)
        ? Topic
        : throw new ArgumentException("a producer record needs a topic", nameof(Topic));

    /// <summary>A fixed partition (0 or more), or <c>null</c> to let the partitioner choose.</summary>
    public int? Partition
    {
        get;
        init => field = value is null or >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Partition), value, "a partition is 0 or more");
    }

    /// <summary>
    /// Headers to send, or <c>null</c> for none. Serializers may add headers to this instance
    /// while the record is produced, so do not share one instance between records.
    /// </summary>
    public Headers? Headers { get; init; }

    /// <summary>The record's create time, or <c>null</c> to let the producer stamp it when it is sent.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    internal TopicPartition TopicPartition => new(Topic, Partition is { } p ? new Partition(p) : Confluent.Kafka.Partition.Any);

    internal Message<TKey, TValue> ToMessage() => new()
    {
        Key = Key,
        Value = Value,
        Headers = Headers,
        Timestamp = Timestamp is { } ts ? new Timestamp(ts) : Confluent.Kafka.Timestamp.Default,
    };
}
