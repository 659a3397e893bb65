namespace Pipeline.Graph.Kafka;

/// <summary>
/// Something <see cref="Committer"/> can commit: one <see cref="CommittableOffset"/> or a
/// <see cref="CommittableOffsetBatch"/>. Instances come from a committable source, never from user
/// code, because each offset is linked to the consumer that read it.
/// </summary>
public interface ICommittable
{
    /// <summary>How many consumed records this stands for (1 for a single offset).</summary>
    int BatchSize { get; }

    /// <summary>The newest offset per consumer and partition.</summary>
    IReadOnlyCollection<CommittableOffset> Offsets { get; }
}
