using Pipeline.Graph.Drift;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Assembly;

/// <summary>
/// What the graph needs to take part in the model lifecycle: the active model's scorer and
/// version (from the registry), the sample retraining learns from, where checkpoints and shadow
/// results go, the drift detectors, and where the running graph hands back its swap handle and
/// label sink once materialized.
/// </summary>
public sealed record ModelLifecycleParts
{
    /// <summary>The scorer of the registry's active model.</summary>
    public required ModelTransactionScorer Scorer { get; init; }

    /// <summary>The active model's version.</summary>
    public required long Version { get; init; }

    /// <summary><c>pipeline.lifecycle</c>.</summary>
    public required LifecycleSettings Settings { get; init; }

    /// <summary><c>pipeline.drift</c>.</summary>
    public required DriftSettings Drift { get; init; }

    /// <summary>Recent transactions a retrained candidate learns from, filled by the scoring stage.</summary>
    public required TrainingSample Sample { get; init; }

    /// <summary>Receives checkpoints and shadow evaluations (the registry).</summary>
    public required IScoringLifecycleListener Listener { get; init; }

    /// <summary>Lifecycle metrics.</summary>
    public required LifecycleMetrics Metrics { get; init; }

    /// <summary>Called on the stream's thread for every drift event; must not block.</summary>
    public required Action<DriftEvent> OnDrift { get; init; }

    /// <summary>Called once at materialization with the scoring stage's swap handle and the drift stage's label sink.</summary>
    public required Action<IModelSwapHandle, ILabelSink> OnMaterialized { get; init; }
}
