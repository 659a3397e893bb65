using Confluent.Kafka;

namespace Pipeline.Host.Replay;

/// <summary>The records of one partition a replay reads: offsets [<paramref name="Start"/>, <paramref name="End"/>).</summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="Start">The first offset to read.</param>
/// <param name="End">The partition's end offset when the replay started: the replay stops before it.</param>
/// <param name="Note">Why the range differs from what was asked (records already deleted by retention), or null.</param>
public sealed record PartitionRange(TopicPartition TopicPartition, long Start, long End, string? Note = null)
{
    /// <summary>Records in the range.</summary>
    public long Count => Math.Max(0, End - Start);
}
