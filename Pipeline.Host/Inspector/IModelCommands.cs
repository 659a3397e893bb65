namespace Pipeline.Host.Inspector;

/// <summary>
/// What the model registry offers the inspector's <c>model</c> palette and the status page. Register
/// one implementation as a singleton; without one, <c>model</c> commands answer that the registry is
/// not available in this host.
/// </summary>
public interface IModelCommands
{
    /// <summary>The version scoring now, or null before the first model is registered.</summary>
    Task<ModelVersionInfo?> ActiveAsync(CancellationToken ct);

    /// <summary>The newest <paramref name="count"/> versions, newest first.</summary>
    Task<IReadOnlyList<ModelVersionInfo>> HistoryAsync(int count, CancellationToken ct);

    /// <summary>Starts a retraining run; returns a one-line description of what was started.</summary>
    Task<string> RetrainAsync(CancellationToken ct);

    /// <summary>Makes <paramref name="version"/> the active model; returns it.</summary>
    /// <exception cref="ArgumentException">No such version; the message names it.</exception>
    Task<ModelVersionInfo> PromoteAsync(string version, CancellationToken ct);

    /// <summary>Reactivates the version that was active before the current one; returns it.</summary>
    /// <exception cref="InvalidOperationException">There is no earlier version.</exception>
    Task<ModelVersionInfo> RollbackAsync(CancellationToken ct);
}
