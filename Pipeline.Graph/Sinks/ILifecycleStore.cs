using Pipeline.Graph.Drift;
using Pipeline.Graph.Retraining;

namespace Pipeline.Graph.Sinks;

/// <summary>
/// Mirrors the model lifecycle into the <c>drift_events</c> and <c>model_versions</c> tables (DESIGN
/// §3.4) so operators can query them next to the scored rows. The registry's journal stays the
/// source of truth; both writes are idempotent (a replayed event or version overwrites itself).
/// </summary>
public interface ILifecycleStore : IAsyncDisposable
{
    /// <summary>Records one drift event raised while <paramref name="modelVersion"/> was scoring.</summary>
    Task RecordDriftAsync(DriftEvent drift, string modelVersion, CancellationToken cancellationToken);

    /// <summary>Inserts or updates one model version's row.</summary>
    Task UpsertModelVersionAsync(ModelVersionInfo version, CancellationToken cancellationToken);
}
