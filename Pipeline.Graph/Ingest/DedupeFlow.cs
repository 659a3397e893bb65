using Akka;
using Akka.Streams.Dsl;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// Drops duplicate transactions: an <see cref="AcceptedTransaction"/> whose transaction id another record
/// already claimed (within the store's TTL) becomes a <see cref="SkippedRecord"/> with reason
/// <see cref="SkippedRecord.Duplicate"/>, which produces no row and no alert but carries its offset on so it
/// commits in order. A record delivered again with the same coordinates (after a crash or rebalance) is
/// not a duplicate: see <see cref="DedupeClaim"/>. Counted by <c>pipeline_duplicates_total</c>.
/// <para>
/// Batching without a timer: elements gather only while the previous batch's store call is in flight (up to
/// <c>batch-size</c>), so an idle stream pays one round-trip per element and a busy one one round-trip per
/// batch, and no element ever waits for a batch to fill.
/// </para>
/// <para>
/// Emits every element, in input order, once its batch is decided; backpressures when downstream does or
/// when a batch of <c>batch-size</c> waits for the store; completes when upstream completes and the last batch
/// is decided; fails only when the store throws (stores degrade instead of throwing when their service is
/// unavailable, see <see cref="RedisDedupeStore"/>); cancels upstream when downstream cancels. Materialized
/// value: <see cref="NotUsed"/>. Reads <c>pipeline.dedupe</c> through <see cref="DedupeSettings"/>.
/// </para>
/// </summary>
public static class DedupeFlow
{
    /// <summary>The dedupe flow over <paramref name="store"/>.</summary>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(IDedupeStore store, DedupeSettings settings, DataQualityMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        return Flow.Create<PipelineElement>()
            .Batch(
                settings.BatchSize,
                first => new List<PipelineElement>(Math.Min(settings.BatchSize, 64)) { first },
                (batch, next) =>
                {
                    batch.Add(next);
                    return batch;
                })
            .SelectAsync(1, batch => Decide(store, batch, metrics))
            .SelectMany(batch => batch)
            .Named("dedupe");
    }

    /// <summary>
    /// The batch form for the graph's ingest path (<see cref="IngestFlow"/>): arrays that arrive while the store
    /// decides the previous ones are joined (up to <c>batch-size</c> elements; a larger array is decided alone) and
    /// decided with one store call. Duplicates become <see cref="SkippedRecord"/>s in place; every element leaves
    /// once, in input order. Emits, backpressures, completes, fails and cancels as <see cref="Create"/>.
    /// </summary>
    public static Flow<PipelineElement[], PipelineElement[], NotUsed> CreateBatches(IDedupeStore store, DedupeSettings settings, DataQualityMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        return Flow.Create<PipelineElement[]>()
            .BatchWeighted(
                settings.BatchSize,
                batch => batch.Length,
                first => new List<PipelineElement[]>(4) { first },
                (batches, next) =>
                {
                    batches.Add(next);
                    return batches;
                })
            .SelectAsync(1, batches => Decide(store, Join(batches), metrics))
            .Named("dedupe");
    }

    private static PipelineElement[] Join(List<PipelineElement[]> batches)
    {
        if (batches.Count == 1) return batches[0];
        var joined = new PipelineElement[batches.Sum(b => b.Length)];
        var at = 0;
        foreach (var batch in batches)
        {
            batch.CopyTo(joined, at);
            at += batch.Length;
        }

        return joined;
    }

    private static async Task<TList> Decide<TList>(IDedupeStore store, TList batch, DataQualityMetrics metrics)
        where TList : IList<PipelineElement>
    {
        var claims = new List<DedupeClaim>(batch.Count);
        var positions = new List<int>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is not AcceptedTransaction accepted) continue;
            // The decoder only accepts canonical UUIDs; anything else could not be deduplicated and is processed.
            if (!Guid.TryParseExact(accepted.Transaction.TransactionId, "D", out var id)) continue;
            var tp = accepted.Offset.TopicPartition;
            claims.Add(new DedupeClaim(id, tp.Topic, tp.Partition.Value, accepted.Offset.Offset));
            positions.Add(i);
        }

        if (claims.Count == 0) return batch;
        var duplicates = await store.ClaimAsync(claims, CancellationToken.None).ConfigureAwait(false);
        for (var c = 0; c < claims.Count; c++)
        {
            if (!duplicates[c]) continue;
            var accepted = (AcceptedTransaction)batch[positions[c]];
            batch[positions[c]] = new SkippedRecord(accepted.Offset, accepted.ReceivedAt, SkippedRecord.Duplicate, accepted.Transaction.TransactionId);
            metrics.RecordDuplicate();
        }

        return batch;
    }
}
