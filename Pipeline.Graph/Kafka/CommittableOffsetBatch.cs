using System.Collections.Immutable;
using Confluent.Kafka;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// An immutable aggregate of offsets that keeps, per consumer and partition, only the newest
/// offset (latest epoch, then highest offset): committing it commits everything before it.
/// <see cref="Committer"/> builds these itself; build one with <see cref="Updated"/> when a stage
/// of yours groups records (e.g. a batched database write) and hands one committable on.
/// </summary>
public sealed class CommittableOffsetBatch : ICommittable
{
    private readonly ImmutableDictionary<PartitionKey, CommittableOffset> _offsets;

    private CommittableOffsetBatch(ImmutableDictionary<PartitionKey, CommittableOffset> offsets, int batchSize, string trigger)
    {
        _offsets = offsets;
        BatchSize = batchSize;
        Trigger = trigger;
    }

    /// <summary>A batch with no offsets.</summary>
    public static CommittableOffsetBatch Empty { get; } = new(ImmutableDictionary<PartitionKey, CommittableOffset>.Empty, 0, "user batch");

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <summary>True when the batch holds no offset.</summary>
    public bool IsEmpty => _offsets.IsEmpty;

    /// <inheritdoc />
    public IReadOnlyCollection<CommittableOffset> Offsets => _offsets.Values.ToArray();

    /// <summary>A copy that also covers <paramref name="committable"/>.</summary>
    public CommittableOffsetBatch Updated(ICommittable committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        var builder = _offsets.ToBuilder();
        foreach (var offset in committable.Offsets)
        {
            var key = new PartitionKey(offset.Consumer, offset.TopicPartition);
            if (!builder.TryGetValue(key, out var held) || IsNewer(offset, held)) builder[key] = offset;
        }

        return new CommittableOffsetBatch(builder.ToImmutable(), BatchSize + committable.BatchSize, Trigger);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"CommittableOffsetBatch(batch-size={BatchSize}, {string.Join(", ", _offsets.Values.Select(o => $"{o.TopicPartition}@{o.Offset}#{o.Epoch}"))})";

    /// <summary>True when <paramref name="candidate"/> should replace <paramref name="held"/> for the same partition.</summary>
    internal static bool IsNewer(CommittableOffset candidate, CommittableOffset held) =>
        candidate.Epoch > held.Epoch || (candidate.Epoch == held.Epoch && candidate.Offset > held.Offset);

    /// <summary>The offsets without a copy, for the committer.</summary>
    internal IEnumerable<CommittableOffset> NewestOffsets => _offsets.Values;

    /// <summary>What made the committer emit this batch (batch full, interval, upstream completed ...), for the logs.</summary>
    internal string Trigger { get; }

    internal static CommittableOffsetBatch FromAggregate(IEnumerable<KeyValuePair<PartitionKey, CommittableOffset>> offsets, int batchSize, string trigger) =>
        new(ImmutableDictionary.CreateRange(offsets), batchSize, trigger);

    /// <summary>
    /// Hands the offsets (as <c>offset + 1</c>) to the consumers that read them. The task
    /// completes when every consumer stored or committed its part, or faults with the first failure.
    /// </summary>
    internal Task CommitAsync(string trigger)
    {
        if (_offsets.IsEmpty) return Task.CompletedTask;
        var byConsumer = _offsets.Values.GroupBy(o => o.Consumer).ToArray();
        if (byConsumer.Length == 1) return byConsumer[0].Key.Commit(ToRequests(byConsumer[0]), trigger);
        return Task.WhenAll(byConsumer.Select(g => g.Key.Commit(ToRequests(g), trigger)));
    }

    private static OffsetToCommit[] ToRequests(IEnumerable<CommittableOffset> offsets) =>
        offsets.Select(o => new OffsetToCommit(o.TopicPartition, o.Offset + 1, o.Epoch)).ToArray();

    /// <summary>Identifies one partition of one consumer.</summary>
    internal readonly record struct PartitionKey(IConsumerHost Consumer, TopicPartition TopicPartition);
}
