using Confluent.Kafka;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// Where a consumer starts a newly assigned partition when its offsets live outside Kafka: a store
/// that writes each batch's next offsets in the same database transaction as its rows (an
/// exactly-once effect) answers here, and the consumer seeks there instead of to the group's
/// committed offset, which may lag behind the rows already written.
/// </summary>
public interface IAssignedOffsetsSource
{
    /// <summary>Whether this source keeps offsets at all (a store may have the feature switched off).</summary>
    bool KeepsOffsets { get; }

    /// <summary>
    /// The next offset to read for each of <paramref name="partitions"/> that the source knows;
    /// partitions it does not know are absent and start at the group's committed offset.
    /// </summary>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="partitions">The partitions just assigned.</param>
    /// <param name="cancellationToken">Abandons the lookup.</param>
    Task<IReadOnlyDictionary<TopicPartition, long>> LoadOffsetsAsync(
        string groupId, IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken);
}
