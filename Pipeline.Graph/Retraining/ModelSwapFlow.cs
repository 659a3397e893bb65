using Akka.Streams.Dsl;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining.Internal;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// The scoring stage with a model lifecycle: a drop-in replacement for <see cref="ScoringFlow"/>
/// that scores every <see cref="Windows.FeaturedTransaction"/> (score, then learn) and passes other
/// elements through, and in addition
/// <list type="bullet">
/// <item>swaps in models offered through its handle between two elements, only when their version
/// is newer than the one scoring (versions never go backwards; every row records its version);</item>
/// <item>shadow-scores a candidate (score only) alongside the active model for
/// <c>pipeline.lifecycle.shadow.events</c> transactions, joins delayed labels (also those that
/// arrived shortly before their transaction was scored) until
/// <c>pipeline.lifecycle.shadow.label-wait</c> of event time has passed after the last of them (or
/// every one is labelled), and reports the <see cref="ShadowEvaluation"/> to the listener;</item>
/// <item>keeps the recent transactions in the <see cref="TrainingSample"/> for retraining, without
/// those the active model flagged (<c>pipeline.lifecycle.sample-exclude-flagged</c>) or whose fraud
/// label arrived (<c>pipeline.lifecycle.sample-exclude-fraud</c>);</item>
/// <item>checkpoints the live model every <c>pipeline.lifecycle.checkpoint-every-events</c> scored
/// transactions to the listener (the registry accepts it only for the still-active version).</item>
/// </list>
/// Emits one element per input, in order; backpressures when downstream does; completes when
/// upstream completes; fails only if the model throws (a bug); cancels upstream when downstream
/// cancels. Materialized value: the thread-safe <see cref="IModelSwapHandle"/>.
/// </summary>
public static class ModelSwapFlow
{
    /// <summary>The flow scoring with <paramref name="scorer"/>, which starts as <paramref name="version"/>.</summary>
    public static Flow<PipelineElement, PipelineElement, IModelSwapHandle> Create(
        ModelTransactionScorer scorer,
        long version,
        LifecycleSettings settings,
        TrainingSample sample,
        IScoringLifecycleListener listener,
        PipelineMetrics metrics,
        LifecycleMetrics lifecycleMetrics)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return Flow.FromGraph(new ModelSwapStage(scorer, version, settings, sample, listener, metrics, lifecycleMetrics));
    }
}
