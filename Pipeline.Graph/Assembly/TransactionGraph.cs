using Akka;
using Akka.Event;
using Akka.Streams.Dsl;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Windows;

namespace Pipeline.Graph.Assembly;

/// <summary>
/// The whole graph of DESIGN §1 as one runnable blueprint:
/// Kafka <c>transactions</c> → decode and validate → dead letters (original bytes to the DLQ topic) →
/// dedupe → PII tokens → account windows → scoring (hot-swappable) → drift → alerts (rows + outbox,
/// Kafka) → store → commit.
/// Each arrow is one public flow, so later stages (dedupe, PII, windows, drift, alerting) slot in
/// between two of them without touching the others.
/// <para>
/// Materialized value: a <see cref="DrainingControl{T}"/> — <c>DrainAndShutdown</c> stops the
/// source, lets every in-flight record reach the store and the committer, commits, and closes the
/// consumer. The stream fails only on a non-recoverable Kafka error or a bug; bad records and
/// store outages never fail it.
/// </para>
/// </summary>
public static class TransactionGraph
{
    /// <summary>Builds the graph; nothing runs until it is materialized.</summary>
    public static IRunnableGraph<DrainingControl<Done>> Create(TransactionGraphSettings settings, TransactionGraphServices services)
    {
        var metrics = services.Metrics;
        // The source is fused with the ingest stages: its records arrive from the poll thread in
        // batches through an async callback already, and a boundary here would cost one actor
        // message per record.
        var featured = KafkaConsumer.CommittableSource(ConsumerFor(settings, services), Subscriptions.Topics(settings.TransactionsTopic))
            // Decode (with PII tokens, on the thread pool), dead letters (original bytes to the DLQ topic: before the
            // quarantined bytes are masked), dedupe and masking, as arrays: one push per batch, not per element.
            .Via(IngestFlow.Create(
                settings.Ingest, settings.Pii, settings.DeadLetterProducer, settings.DeadLetterTopic, services.DedupeStore, settings.Dedupe,
                services.Clock, metrics, services.DataQuality, services.Log))
            // Ingest (source, decode, dead letters, dedupe, PII) and processing (windows, scoring,
            // alerts, store, commit) run as two actors, so two cores work on the stream at once.
            // Arrays that arrive while processing is busy are joined (no timer, no added latency when it
            // keeps up), so a busy stream pays one actor message per few hundred elements. Order is kept.
            .BatchWeighted(BoundaryElements, batch => batch.Length, first => new List<PipelineElement[]>(4) { first }, (batches, next) =>
            {
                batches.Add(next);
                return batches;
            })
            .Async()
            .SelectMany(IngestFlow.Elements)
            .Via(AccountWindowsFlow.Create(settings.Windows, services.FeatureStore, services.Clock, services.WindowsMetrics, services.Log));

        // With a lifecycle the scoring stage hot-swaps promoted models between two elements,
        // checkpoints the live model to the registry and shadow-scores candidates; drift follows it.
        var scored = services.Lifecycle is { } lifecycle
            ? featured
                .ViaMaterialized(ModelSwapFlow.Create(lifecycle.Scorer, lifecycle.Version, lifecycle.Settings, lifecycle.Sample, lifecycle.Listener, metrics, lifecycle.Metrics), Keep.Both)
                .ViaMaterialized(DriftFlow.Create(lifecycle.Drift, lifecycle.Settings, lifecycle.OnDrift, lifecycle.Metrics), (left, labels) =>
                {
                    lifecycle.OnMaterialized(left.Item2, labels);
                    return left.Item1;
                })
                .Via(ObserveScored(services.OnScored))
            : featured.Via(ScoringFlow.Create(services.Scorer, metrics, services.OnScored));
        if (services.AlertStore is not null)
        {
            // Before the store: an offset commits only after its alert and outbox rows are durable.
            scored = scored.Via(AlertFlow.Create(
                services.AlertStore, settings.Alerting, services.AlertMetrics, services.Clock, services.Log,
                output: AlertKafkaOutput.Create(settings.AlertProducer, settings.AlertsTopic)));
        }

        // Scored rows to Kafka (pass-through): an element reaches the store and the committer only
        // once its record is acknowledged, so a committed offset implies a produced record.
        if (services.ScoredOutput is { } scoredOutput) scored = scored.Via(scoredOutput);

        return scored
            // One committable per written batch: the committer sees batches, not records.
            .Via(StoreFlow.CreateCommittable(services.Store, settings.Store, metrics, services.Clock, services.Log))
            .Select(committable =>
            {
                metrics.RecordCommitted(committable.BatchSize);
                return committable;
            })
            .ToMaterialized(Committer.Sink(settings.Committer), Keep.Both)
            .MapMaterializedValue(pair => DrainingControl<Done>.Create(pair.Item1, pair.Item2))
            .Named("transaction-graph");
    }

    // Most elements joined into one actor message across the ingest/processing boundary (a single decode
    // batch larger than this crosses alone). The boundary holds up to 16 messages (Akka's input buffer), so
    // this also bounds what waits there when processing is the slower side: at most 16 × 256 elements
    // (decode-batch 256), about 20 ms of processing, while one message per batch makes the hop's cost negligible.
    private const int BoundaryElements = 256;

    private static Flow<PipelineElement, PipelineElement, NotUsed> ObserveScored(Action<Models.Domain.ScoredTransaction>? onScored) =>
        Flow.Create<PipelineElement>().Select(e =>
        {
            if (onScored is not null && e is ScoredElement s) onScored(s.Scored);
            return e;
        });

    // With offsets kept beside the rows (exactly-once effect), a newly assigned partition starts where
    // its rows end rather than at the group's commit, which may lag one batch behind.
    private static ConsumerSettings<string, byte[]> ConsumerFor(TransactionGraphSettings settings, TransactionGraphServices services) =>
        services.Store is IAssignedOffsetsSource { KeepsOffsets: true } offsets ? settings.Consumer.WithAssignedOffsets(offsets) : settings.Consumer;
}
