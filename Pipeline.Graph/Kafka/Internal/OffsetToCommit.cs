using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>One offset to store or commit: <paramref name="NextOffset"/> is the consumed offset + 1.</summary>
internal readonly record struct OffsetToCommit(TopicPartition TopicPartition, long NextOffset, int Epoch);
