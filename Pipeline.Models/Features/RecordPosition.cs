namespace Pipeline.Models.Features;

/// <summary>
/// Where a record came from: its topic, partition and offset. <see cref="AccountState"/> remembers
/// the position of the last record it applied, so a record delivered again after a crash or a
/// rebalance (same topic and partition, offset not above the remembered one) is recognised and not
/// counted twice.
/// </summary>
/// <param name="Topic">Source topic.</param>
/// <param name="Partition">Source partition.</param>
/// <param name="Offset">The record's own offset.</param>
public readonly record struct RecordPosition(string Topic, int Partition, long Offset)
{
    /// <summary>True when <paramref name="other"/> is on the same topic and partition.</summary>
    public bool SamePartitionAs(RecordPosition other) => Partition == other.Partition && string.Equals(Topic, other.Topic, StringComparison.Ordinal);
}
