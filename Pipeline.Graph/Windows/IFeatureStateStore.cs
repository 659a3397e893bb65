namespace Pipeline.Graph.Windows;

/// <summary>
/// Where account window state is checkpointed and restored from. Implementations are called from
/// one stage at a time per instance but may be shared by several stages (two consumers in one
/// process), so they are thread-safe. Failures surface as faulted tasks; the stage degrades to
/// in-memory state and retries, it never fails the stream because of the store.
/// </summary>
public interface IFeatureStateStore
{
    /// <summary>Where the state lives, for logs (no secrets).</summary>
    string Description { get; }

    /// <summary>The stored snapshots of <paramref name="accountIds"/>, in the same order; null where an account has none.</summary>
    Task<IReadOnlyList<byte[]?>> LoadAsync(IReadOnlyList<string> accountIds, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the checkpoints, skipping any whose stored checkpoint is on the same topic and
    /// partition at a higher offset (a newer owner of the partition already wrote it).
    /// </summary>
    /// <returns>How many checkpoints were skipped as stale.</returns>
    Task<int> SaveAsync(IReadOnlyList<FeatureCheckpoint> checkpoints, CancellationToken cancellationToken);
}
