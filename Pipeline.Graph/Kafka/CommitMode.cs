namespace Pipeline.Graph.Kafka;

/// <summary>How a committable source's consumer hands the committer's offsets to the broker.</summary>
public enum CommitMode
{
    /// <summary>
    /// HOCON <c>store-and-auto-commit</c>. The consumer thread stores each offset
    /// (<c>StoreOffset</c>) and librdkafka commits the stored offsets every
    /// <c>auto.commit.interval.ms</c>, when partitions are revoked and on close. Never blocks the
    /// poll loop; the committer's task completes once the offsets are stored.
    /// </summary>
    StoreAndAutoCommit,

    /// <summary>
    /// HOCON <c>synchronous</c>. The consumer thread commits everything queued since the last poll
    /// with one synchronous <c>Commit</c>; retriable errors are retried on the next poll until
    /// <c>commit-timeout</c>. The committer's task completes once the broker acknowledged.
    /// </summary>
    Synchronous,
}
