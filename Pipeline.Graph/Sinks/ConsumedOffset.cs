using Confluent.Kafka;

namespace Pipeline.Graph.Sinks;

/// <summary>
/// How far a batch got in one partition: <paramref name="NextOffset"/> is the batch's highest
/// consumed offset + 1 (the next record to read), as Kafka commits it.
/// </summary>
/// <param name="GroupId">The consumer group that read the records.</param>
/// <param name="TopicPartition">Topic and partition.</param>
/// <param name="NextOffset">Highest offset in the batch + 1.</param>
public sealed record ConsumedOffset(string GroupId, TopicPartition TopicPartition, long NextOffset);
