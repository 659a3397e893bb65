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
/// Emits the offsets of a batch, in input order, after the batch's write returned; backpressures
/// while a write (or its retries) is in progress, so a slow or absent store pauses the Kafka source
/// instead of growing a buffer; a failed write is retried with exponential backoff and jitter,
/// forever — a batch is never dropped; completes after the last batch is written; cancels upstream
/// when downstream cancels. Materialized value: <see cref="NotUsed"/>. Reads <c>pipeline.store</c>.
/// Each write also carries the batch's highest offset + 1 per partition, which a store configured to
/// keep consumer offsets writes in the batch's transaction.
/// </para>
/// </summary>
public static class StoreFlow
{
    /// <summary>The store flow over <paramref name="store"/>.</summary>
    public static Flow<PipelineElement, CommittableOffset, NotUsed> Create(
        ITransactionStore store, StoreSettings settings, PipelineMetrics metrics, TimeProvider clock, ILoggingAdapter log, Random? jitter = null)
    {
        var random = jitter ?? new Random(17);
        return Flow.Create<PipelineElement>()
            .GroupedWithin(settings.BatchSize, settings.FlushInterval)
            .SelectAsync(1, async batch =>
            {
                var elements = batch as IReadOnlyList<PipelineElement> ?? batch.ToList();
                await WriteWithRetry(store, elements, settings, metrics, clock, log, random).ConfigureAwait(false);
                return elements;
            })
            .SelectMany(elements => elements.Select(e => e.Offset))
            .Named("store");
    }

    private static async Task WriteWithRetry(
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

        var offsets = NextOffsets(elements);

        var started = clock.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Called for offset-only batches too: a store keeping consumer offsets records them.
                await store.WriteBatchAsync(rows, quarantine, CancellationToken.None, offsets).ConfigureAwait(false);

                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var delay = settings.Backoff(attempt, random);
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
    }

    /// <summary>The highest offset + 1 per (group, partition) of <paramref name="elements"/>.</summary>
    internal static IReadOnlyList<ConsumedOffset> NextOffsets(IReadOnlyList<PipelineElement> elements)
    {
        var next = new Dictionary<(string GroupId, TopicPartition TopicPartition), long>();
        foreach (var e in elements)
        {
            var key = (e.Offset.GroupId, e.Offset.TopicPartition);
            if (!next.TryGetValue(key, out var current) || e.Offset.Offset + 1 > current) next[key] = e.Offset.Offset + 1;
        }

        return next.Select(kv => new ConsumedOffset(kv.Key.GroupId, kv.Key.TopicPartition, kv.Value)).ToArray();
    }
}
