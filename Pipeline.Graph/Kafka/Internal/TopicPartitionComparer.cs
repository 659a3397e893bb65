using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// INTERNAL API. Equality of <see cref="TopicPartition"/> as Confluent defines it, with a hash that does
/// not hash the topic name: per-record lookups of a consumer's partitions (one or a few topics) pay
/// for the partition number and the name's length only, and equal keys still compare the names.
/// </summary>
internal sealed class TopicPartitionComparer : IEqualityComparer<TopicPartition>
{
    public static TopicPartitionComparer Instance { get; } = new();

    public bool Equals(TopicPartition? x, TopicPartition? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Partition.Value == y.Partition.Value && string.Equals(x.Topic, y.Topic, StringComparison.Ordinal));

    public int GetHashCode(TopicPartition obj) => HashCode.Combine(obj.Partition.Value, obj.Topic?.Length ?? 0);
}
