using Confluent.Kafka;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// A snapshot of one consumer for <c>/metrics</c>, the status page and the operator CLI: enough to
/// tell a healthy consumer from a stalled one (last poll and last record times, paused set, buffer
/// depth, lag, commit errors). Taken by <see cref="IControl.Status"/>; the partition table is at
/// most a few hundred milliseconds old.
/// </summary>
/// <param name="GroupId">The consumer group.</param>
/// <param name="MemberId">The group member id, once joined.</param>
/// <param name="Subscription">What the consumer reads.</param>
/// <param name="State">Lifecycle state.</param>
/// <param name="CommitMode">How offsets reach the broker.</param>
/// <param name="Partitions">Owned partitions with epoch, pause state, offsets and lag.</param>
/// <param name="PausedPartitions">The partitions currently paused.</param>
/// <param name="BufferDepth">Records handed to the stream and not emitted yet.</param>
/// <param name="BufferCapacity">The <c>buffer-size</c> bound of <paramref name="BufferDepth"/>.</param>
/// <param name="Backpressured">True while the consumer pauses its partitions because the buffer is full.</param>
/// <param name="LastPollAt">When the consumer thread last polled (stale = stalled thread).</param>
/// <param name="LastRecordAt">When the last record arrived.</param>
/// <param name="CommitErrorCount">Failed commits and stores since start.</param>
/// <param name="StaleOffsetsSkipped">Offsets not committed because their partition was revoked or lost since the record was read.</param>
/// <param name="ErrorCount">Client errors reported by librdkafka since start.</param>
/// <param name="LastError">The last client or commit error, if any.</param>
public sealed record ConsumerStatus(
    string GroupId,
    string? MemberId,
    string Subscription,
    ConsumerState State,
    CommitMode CommitMode,
    IReadOnlyList<PartitionStatus> Partitions,
    IReadOnlyList<TopicPartition> PausedPartitions,
    int BufferDepth,
    int BufferCapacity,
    bool Backpressured,
    DateTimeOffset? LastPollAt,
    DateTimeOffset? LastRecordAt,
    long CommitErrorCount,
    long StaleOffsetsSkipped,
    long ErrorCount,
    string? LastError);
