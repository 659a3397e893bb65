using Confluent.Kafka;

namespace Pipeline.Graph.Kafka;

/// <summary>One acknowledged record of a <see cref="MultiResult{TKey,TValue,TPass}"/>.</summary>
/// <param name="Record">The record as it was handed in.</param>
/// <param name="TopicPartitionOffset">Where the broker stored it.</param>
/// <param name="Timestamp">The timestamp the broker stored with it.</param>
public sealed record MultiResultPart<TKey, TValue>(
    ProducerRecord<TKey, TValue> Record,
    TopicPartitionOffset TopicPartitionOffset,
    Timestamp Timestamp);
