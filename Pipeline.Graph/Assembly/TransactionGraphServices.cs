using Akka.Event;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Windows;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Assembly;

/// <summary>The collaborators the graph's stages call: the edges to the outside world and the clock.</summary>
/// <param name="Scorer">The scoring seam.</param>
/// <param name="FeatureStore">Where account window state is checkpointed.</param>
/// <param name="DedupeStore">Which transaction ids were seen (Redis or bounded memory).</param>
/// <param name="Store">Where rows become durable.</param>
/// <param name="Metrics">Prometheus metrics of this graph.</param>
/// <param name="Clock">Wall clock (a fake one in tests).</param>
/// <param name="Log">Akka logging adapter for stage logs.</param>
/// <param name="WindowsMetrics">Metrics of the account windows.</param>
/// <param name="DataQuality">Metrics of dead letters, duplicates and PII protection.</param>
/// <param name="AlertStore">Where alerts and their outbox rows become durable; null keeps no alerts (store kind none).</param>
/// <param name="AlertMetrics">Metrics of alert decisions and deliveries.</param>
public sealed record TransactionGraphServices(
    ITransactionScorer Scorer,
    IFeatureStateStore FeatureStore,
    IDedupeStore DedupeStore,
    ITransactionStore Store,
    PipelineMetrics Metrics,
    TimeProvider Clock,
    ILoggingAdapter Log,
    WindowsMetrics WindowsMetrics,
    DataQualityMetrics DataQuality,
    IAlertStore? AlertStore,
    AlertMetrics AlertMetrics)
{
    /// <summary>Called with every scored row on the scoring stage's thread (the status page's feed); must be cheap and never throw.</summary>
    public Action<ScoredTransaction>? OnScored { get; init; }

    /// <summary>
    /// The model lifecycle (registry-backed hot swap, checkpoints, shadow scoring, drift); null
    /// scores with <see cref="Scorer"/> alone and never swaps.
    /// </summary>
    public ModelLifecycleParts? Lifecycle { get; init; }

    /// <summary>
    /// Publishes scored transactions to Kafka (<see cref="Outputs.ScoredKafkaOutput"/>), placed before the
    /// store so an offset commits only after its record is acknowledged; null publishes none.
    /// </summary>
    public Akka.Streams.Dsl.Flow<PipelineElement, PipelineElement, Akka.NotUsed>? ScoredOutput { get; init; }
}
