using Akka;
using Akka.Event;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Kafka;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// The ingest half of the graph in batch form: decode and validate with PII tokens (<see cref="DecodeFlow.CreateBatches"/>),
/// dead letters (<see cref="DeadLetterFlow.CreateBatches"/>), dedupe (<see cref="DedupeFlow.CreateBatches"/>) and the
/// masking of quarantined bytes (<see cref="ProtectPiiFlow"/>). Its elements are exactly those of the
/// per-element chain <c>DecodeFlow → DeadLetterFlow → DedupeFlow → ProtectPiiFlow</c>, in the same order, grouped in
/// arrays.
/// <para>
/// Why batches: every element handed from one stage to the next costs a push and a pull on the stream's single
/// thread, and the tokenising of card numbers and e-mails (two keyed hashes per transaction) is pure per-record work.
/// Here the records that queue up while decoding lags travel as one array through every stage, and the tokens are
/// computed on the decoding threads, several batches at once; what is left on the stream's thread is one dedupe
/// lookup per transaction. The dead-letter topic still receives the original bytes: accepted transactions are
/// tokenised before it, quarantined records are masked only after it.
/// </para>
/// <para>
/// Emits one array per decode batch (arrays gathered while the dedupe store decides are joined), every record exactly
/// once and in input order; backpressures when downstream does; completes when upstream completes and every batch is
/// through; fails when a dead-letter record cannot be delivered or the dedupe store throws; cancels upstream when
/// downstream cancels. Materialized value: <see cref="NotUsed"/>.
/// </para>
/// </summary>
public static class IngestFlow
{
    /// <summary>The ingest flow; the dead-letter stage owns a producer built from <paramref name="deadLetterProducer"/>.</summary>
    /// <exception cref="KafkaConfigurationException">The producer settings are invalid.</exception>
    public static Flow<CommittableMessage<string, byte[]>, PipelineElement[], NotUsed> Create(
        IngestSettings ingest,
        PiiSettings pii,
        ProducerSettings<byte[]?, byte[]> deadLetterProducer,
        string deadLetterTopic,
        IDedupeStore dedupeStore,
        DedupeSettings dedupe,
        TimeProvider clock,
        PipelineMetrics metrics,
        DataQualityMetrics dataQuality,
        ILoggingAdapter log)
    {
        ArgumentNullException.ThrowIfNull(pii);
        ArgumentNullException.ThrowIfNull(dataQuality);
        ArgumentNullException.ThrowIfNull(log);
        ProtectPiiFlow.WarnIfEphemeral(pii, log);
        var protector = pii.CreateProtector();
        return DecodeFlow.CreateBatches(ingest, clock, metrics, protector)
            .Via(DeadLetterFlow.CreateBatches(deadLetterProducer, deadLetterTopic, dataQuality))
            .Via(DedupeFlow.CreateBatches(dedupeStore, dedupe, dataQuality))
            .Via(ProtectPiiFlow.CreateBatches(protector, dataQuality))
            .Named("ingest");
    }

    /// <summary>The elements of <paramref name="batches"/> in order (to flatten the arrays where per-element stages follow).</summary>
    public static IEnumerable<PipelineElement> Elements(IReadOnlyList<PipelineElement[]> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return Iterate(batches);

        static IEnumerable<PipelineElement> Iterate(IReadOnlyList<PipelineElement[]> batches)
        {
            for (var b = 0; b < batches.Count; b++)
            {
                var batch = batches[b];
                for (var i = 0; i < batch.Length; i++) yield return batch[i];
            }
        }
    }
}
