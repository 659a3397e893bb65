using Confluent.Kafka;

namespace Pipeline.Graph.Kafka;

/// <summary>The answer to a <see cref="SingleEnvelope{TKey,TValue,TPass}"/>: the record was acknowledged.</summary>
/// <param name="Record">The record as it was handed in.</param>
/// <param name="TopicPartitionOffset">Where the broker stored it.</param>
/// <param name="Timestamp">The timestamp the broker stored with it.</param>
/// <param name="PassThrough">The envelope's pass-through value.</param>
public sealed record Result<TKey, TValue, TPass>(
    ProducerRecord<TKey, TValue> Record,
    TopicPartitionOffset TopicPartitionOffset,
    Timestamp Timestamp,
    TPass PassThrough) : IResults<TKey, TValue, TPass>;
