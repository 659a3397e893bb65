using System.Runtime.InteropServices;
using Akka;
using Akka.Event;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Sinks;

/// <summary>
/// Makes every element durable, then releases its offset for commit. Scored rows and quarantine
/// rows are written in batches (by <c>batch-size</c> or <c>flush-interval</c>, whichever comes
/// first); other elements only carry their offset through.
/// <para>
/// Emits the offsets of a batch, in input order, after the batch's write and the writes of every batch
/// before it returned; backpressures while writes (or their retries) are in progress — at most
/// <see cref="ITransactionStore.ConcurrentWrites"/> batches at once — so a slow or absent store pauses the Kafka source
/// instead of growing a buffer; a failed write is retried with exponential backoff and jitter,
/// forever — a batch is never dropped; completes after the last batch is written; cancels upstream
/// when downstream cancels. Materialized value: <see cref="NotUsed"/>. Reads <c>pipeline.store</c>.
/// Each write also carries the batch's highest offset + 1 per partition, which a store configured to
/// keep consumer offsets writes in the batch's transaction.
/// </para>
/// </summary>
public static class StoreFlow
{
    /// <summary>The store flow over <paramref name="store"/>, emitting one offset per element.</summary>
    public static Flow<PipelineElement, CommittableOffset, NotUsed> Create(
        ITransactionStore store, StoreSettings settings, PipelineMetrics metrics, TimeProvider clock, ILoggingAdapter log, Random? jitter = null) =>
        Written(store, settings, metrics, clock, log, jitter)
            .SelectMany(batch => batch.Offsets)
            .Named("store");

    /// <summary>
    /// The store flow over <paramref name="store"/>, emitting one <see cref="ICommittable"/> per written batch:
    /// the newest offset of each partition in it, standing for all of the batch's records
    /// (<see cref="ICommittable.BatchSize"/>). Feed it to <see cref="Committer.Sink"/>: the committer then
    /// handles one element per batch instead of one per record. Emits, backpressures, retries, completes and
    /// cancels as <see cref="Create"/>.
    /// </summary>
    public static Flow<PipelineElement, ICommittable, NotUsed> CreateCommittable(
        ITransactionStore store, StoreSettings settings, PipelineMetrics metrics, TimeProvider clock, ILoggingAdapter log, Random? jitter = null) =>
        Written(store, settings, metrics, clock, log, jitter)
            .Select(ICommittable (batch) => batch.Committable)
            .Named("store");

    private static Flow<PipelineElement, WrittenBatch, NotUsed> Written(
        ITransactionStore store, StoreSettings settings, PipelineMetrics metrics, TimeProvider clock, ILoggingAdapter log, Random? jitter)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(log);
        var random = jitter ?? new Random(17);
        return Flow.Create<PipelineElement>()
            .GroupedWithin(settings.BatchSize, settings.FlushInterval)
            .SelectAsync(Math.Max(1, store.ConcurrentWrites), batch => WriteWithRetry(store, batch as IReadOnlyList<PipelineElement> ?? batch.ToList(), settings, metrics, clock, log, random));
    }

    private static async Task<WrittenBatch> WriteWithRetry(
        ITransactionStore store, IReadOnlyList<PipelineElement> elements, StoreSettings settings, PipelineMetrics metrics, TimeProvider clock, ILoggingAdapter log, Random random)
    {
        var rows = new List<ScoredTransaction>(elements.Count);
        var quarantine = new List<QuarantineEntry>();
        foreach (var e in elements)
        {
            switch (e)
            {
                case ScoredElement s: rows.Add(s.Scored); break;
                case QuarantinedRecord q: quarantine.Add(q.Entry); break;
            }
        }

        var (committable, offsets) = Aggregate(elements);

        var started = clock.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Called for offset-only batches too: a store keeping consumer offsets records them.
                var write = store.WriteBatchAsync(rows, quarantine, CancellationToken.None, offsets);
                // A store that is done at once (none, or an in-memory one) costs no continuation.
                if (!write.IsCompletedSuccessfully) await write.ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                TimeSpan delay;
                // Batches of a store with concurrent writes retry at once; Random is not thread-safe.
                lock (random) delay = settings.Backoff(attempt, random);
                metrics.RecordStoreRetry();
                log.Warning(ex, "Store write of {Rows} rows and {Quarantined} quarantine rows to {Store} failed (attempt {Attempt}); retrying in {DelayMs} ms",
                    rows.Count, quarantine.Count, store.Description, attempt, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, clock).ConfigureAwait(false);
            }
        }

        var now = clock.GetUtcNow();
        metrics.RecordStoreBatch(rows.Count + quarantine.Count, clock.GetElapsedTime(started));
        foreach (var e in elements)
        {
            var eventTime = e is ScoredElement s ? s.Scored.Timestamp : e.ReceivedAt;
            metrics.RecordDurable(now - e.ReceivedAt, now - eventTime);
        }

        return new WrittenBatch(elements, committable);
    }

    /// <summary>The highest offset + 1 per (group, partition) of <paramref name="elements"/>.</summary>
    internal static IReadOnlyList<ConsumedOffset> NextOffsets(IReadOnlyList<PipelineElement> elements) => Aggregate(elements).Offsets;

    /// <summary>
    /// One pass over the batch: the newest offset per consumer and partition for the committer, and the
    /// highest offset + 1 per (group, partition) for a store that keeps consumer offsets.
    /// </summary>
    private static (CommittableOffsetBatch Committable, IReadOnlyList<ConsumedOffset> Offsets) Aggregate(IReadOnlyList<PipelineElement> elements)
    {
        var partitions = new Dictionary<CommittableOffsetBatch.PartitionKey, (CommittableOffset Newest, long Highest)>();
        foreach (var e in elements)
        {
            var offset = e.Offset;
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(partitions, new CommittableOffsetBatch.PartitionKey(offset.Consumer, offset.TopicPartition), out var seen);
            if (!seen)
            {
                entry = (offset, offset.Offset);
                continue;
            }

            if (CommittableOffsetBatch.IsNewer(offset, entry.Newest)) entry.Newest = offset;
            if (offset.Offset > entry.Highest) entry.Highest = offset.Offset;
        }

        var next = new Dictionary<(string GroupId, TopicPartition TopicPartition), long>();
        foreach (var (key, (_, highest)) in partitions)
        {
            var groupKey = (key.Consumer.GroupId, key.TopicPartition);
            if (!next.TryGetValue(groupKey, out var current) || highest + 1 > current) next[groupKey] = highest + 1;
        }

        var offsets = next.Select(kv => new ConsumedOffset(kv.Key.GroupId, kv.Key.TopicPartition, kv.Value)).ToArray();
        var newest = partitions.Select(kv => new KeyValuePair<CommittableOffsetBatch.PartitionKey, CommittableOffset>(kv.Key, kv.Value.Newest));
        return (CommittableOffsetBatch.FromAggregate(newest, elements.Count, "store batch"), offsets);
    }

    /// <summary>A batch whose write returned: its elements, and their offsets aggregated for the committer.</summary>
    private sealed class WrittenBatch(IReadOnlyList<PipelineElement> elements, CommittableOffsetBatch committable)
    {
        public IEnumerable<CommittableOffset> Offsets => elements.Select(e => e.Offset);

        public CommittableOffsetBatch Committable => committable;
    }
}
