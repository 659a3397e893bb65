using Pipeline.Graph.Drift;
using Pipeline.Graph.Retraining;

namespace Pipeline.Host.Http;

/// <summary>
/// Hears the model lifecycle as it happens: every drift event the drift stage raises and every
/// model version the registry publishes (its history at start, then candidates, promotions,
/// rejections and rollbacks). <see cref="Hosting.LifecycleRecorder"/> calls it beside its table
/// writes, so the status page shows what the <c>drift_events</c> and <c>model_versions</c> tables
/// receive. Calls come from the stream's thread and from an actor: implementations must be cheap,
/// thread-safe and never throw.
/// </summary>
public interface ILifecycleObserver
{
    /// <summary>A drift detector fired while <paramref name="modelVersion"/> was scoring.</summary>
    void OnDrift(DriftEvent drift, string modelVersion);

    /// <summary>A model version was created or changed status.</summary>
    void OnModelVersion(ModelVersionInfo version);
}
