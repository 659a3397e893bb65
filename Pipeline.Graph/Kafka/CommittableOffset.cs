using Confluent.Kafka;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// The position of one consumed record, to be committed once every effect of the record is
/// durable. <see cref="Offset"/> is the consumed record's own offset; the committer commits
/// <c>Offset + 1</c>, the next record to read. <see cref="Epoch"/> identifies the assignment the
/// record was read under: when the partition is revoked the epoch ends, and offsets of an ended
/// epoch are skipped instead of overwriting the progress of the partition's new owner.
/// </summary>
public sealed record CommittableOffset : ICommittable
{
    internal CommittableOffset(IConsumerHost consumer, TopicPartition topicPartition, long offset, int epoch)
    {
        Consumer = consumer;
        GroupId = consumer.GroupId;
        TopicPartition = topicPartition;
        Offset = offset;
        Epoch = epoch;
    }

    /// <summary>The consumer group the offset is committed for.</summary>
    public string GroupId { get; }

    /// <summary>Topic and partition of the record.</summary>
    public TopicPartition TopicPartition { get; }

    /// <summary>The consumed record's offset (not the next one).</summary>
    public long Offset { get; }

    /// <summary>The assignment epoch the record was read under (increases on every assignment of the consumer).</summary>
    public int Epoch { get; }

    /// <summary>The consumer that read the record and will store or commit its offset.</summary>
    internal IConsumerHost Consumer { get; }

    int ICommittable.BatchSize => 1;

    IReadOnlyCollection<CommittableOffset> ICommittable.Offsets => [this];
}
