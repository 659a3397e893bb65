using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>Manual assignment of fixed partitions, without group management.</summary>
internal sealed record AssignmentSubscription(IReadOnlyList<TopicPartition> Partitions) : ISubscription
{
    public string Describe() => $"assignment [{string.Join(", ", Partitions)}]";
}
