using Confluent.Kafka;

namespace Pipeline.Graph.Kafka;

/// <summary>One owned partition as the consumer thread last saw it. Offsets are "next to read" positions; <c>null</c> means not known yet.</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="Epoch">The assignment epoch; offsets of other epochs are not committed.</param>
/// <param name="Paused">Whether fetching is paused (backpressure or stop).</param>
/// <param name="Position">The consumer's position: the offset of the next record it will read.</param>
/// <param name="StoredOffset">The last offset stored for librdkafka's auto-commit (store-and-auto-commit mode).</param>
/// <param name="CommittedOffset">The last offset the broker confirmed as committed by this consumer.</param>
/// <param name="HighWatermark">The partition's end offset as of the last fetch.</param>
/// <param name="Lag">Records not read yet: <c>HighWatermark - Position</c>.</param>
public sealed record PartitionStatus(
    TopicPartition TopicPartition,
    int Epoch,
    bool Paused,
    long? Position,
    long? StoredOffset,
    long? CommittedOffset,
    long? HighWatermark,
    long? Lag);
