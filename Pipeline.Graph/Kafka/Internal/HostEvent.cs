using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// What the poll thread tells its source stage, through the stage's async callback. Events arrive
/// in the order they were sent, so an assignment always precedes the records read under it and a
/// revocation follows every record of the revoked epoch.
/// </summary>
internal abstract record HostEvent
{
    private HostEvent()
    {
    }

    /// <summary>Records read in one poll iteration, in partition order.</summary>
    internal sealed record RecordsArrived<TKey, TValue>(IReadOnlyList<ConsumedRecord<TKey, TValue>> Records) : HostEvent;

    /// <summary>Partitions now owned, each with its new epoch.</summary>
    internal sealed record Assigned(IReadOnlyList<KeyValuePair<TopicPartition, int>> Partitions) : HostEvent;

    /// <summary>Partitions no longer owned (revoked or lost): their buffered records must not be emitted.</summary>
    internal sealed record Revoked(IReadOnlyList<TopicPartition> Partitions) : HostEvent;

    /// <summary>Complete the source (Stop or Shutdown was requested).</summary>
    internal sealed record StopRequested : HostEvent;

    /// <summary>The consumer failed fatally; fail the source with <paramref name="Error"/>.</summary>
    internal sealed record Failed(Exception Error) : HostEvent;
}
