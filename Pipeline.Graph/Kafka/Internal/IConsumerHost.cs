namespace Pipeline.Graph.Kafka.Internal;

/// <summary>The part of a consumer's poll thread that committers talk to.</summary>
internal interface IConsumerHost
{
    /// <summary>The consumer group.</summary>
    string GroupId { get; }

    /// <summary>
    /// Queues offsets for the poll thread. The task completes when they are stored
    /// (<see cref="CommitMode.StoreAndAutoCommit"/>) or committed (<see cref="CommitMode.Synchronous"/>);
    /// offsets of partitions the consumer no longer owns in the same epoch are skipped, not failed.
    /// </summary>
    /// <param name="offsets">At most one offset per partition.</param>
    /// <param name="trigger">What caused the commit, for the logs.</param>
    Task Commit(IReadOnlyList<OffsetToCommit> offsets, string trigger);
}
