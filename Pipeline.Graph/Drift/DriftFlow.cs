using Akka.Streams.Dsl;
using Pipeline.Graph.Drift.Internal;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;

namespace Pipeline.Graph.Drift;

/// <summary>
/// A pass-through drift stage placed after scoring: ADWIN on the score stream (and on the amount
/// z-score when <c>pipeline.lifecycle.drift.watch-amount-z-score</c> is on), and DDM on the error
/// of decisions against delayed labels (decisions are remembered by transaction id, at most
/// <c>pipeline.lifecycle.drift.decision-memory</c> of them, oldest forgotten first). A model version
/// change resets every detector, and neither detector watches a model's first
/// <c>pipeline.lifecycle.drift.warm-up-events</c> transactions (nor DDM the labels of an earlier
/// model's decisions): a warming-up or replaced model is not drift in the traffic. Each detector
/// and signal has its own cooldown (<c>pipeline.drift.adwin.cooldown-events</c>,
/// <c>pipeline.drift.ddm.cooldown-events</c>). A drift is reported to <c>onDrift</c> (called on the
/// stream's thread: hand off, never block) and counted in <c>pipeline_drift_events_total</c>.
/// <para>
/// Emits every element unchanged, in order; backpressures when downstream does; completes when
/// upstream completes; cancels upstream when downstream cancels. Materialized value: the
/// thread-safe <see cref="ILabelSink"/> the labels consumer feeds.
/// </para>
/// </summary>
public static class DriftFlow
{
    /// <summary>The drift stage.</summary>
    public static Flow<PipelineElement, PipelineElement, ILabelSink> Create(
        DriftSettings drift, LifecycleSettings lifecycle, Action<DriftEvent> onDrift, LifecycleMetrics metrics) =>
        Flow.FromGraph(new DriftStage(drift, lifecycle, onDrift, metrics));
}
