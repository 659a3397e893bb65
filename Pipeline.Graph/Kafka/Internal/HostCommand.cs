using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>What other threads ask of the poll thread; served between polls (and inside revoke callbacks for commits).</summary>
internal abstract record HostCommand
{
    private HostCommand()
    {
    }

    /// <summary>Store or commit <paramref name="Offsets"/>; complete <paramref name="Done"/> when done.</summary>
    internal sealed record Commit(IReadOnlyList<OffsetToCommit> Offsets, TaskCompletionSource Done, string Trigger) : HostCommand;

    /// <summary>Complete the source, keep serving commits.</summary>
    internal sealed record Stop : HostCommand;

    /// <summary>Close the consumer after the commands queued before this one.</summary>
    internal sealed record Shutdown : HostCommand;

    /// <summary>The stage has stopped; <paramref name="Emitted"/> holds the next offset after the last record it emitted per partition.</summary>
    internal sealed record StageStopped(Exception? Failure, IReadOnlyDictionary<TopicPartition, OffsetToCommit> Emitted) : HostCommand;
}
