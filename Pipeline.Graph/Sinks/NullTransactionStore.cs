using Pipeline.Models.Domain;

namespace Pipeline.Graph.Sinks;

/// <summary>A store that keeps nothing: for the bench's "store disabled" run and dry runs.</summary>
public sealed class NullTransactionStore : ITransactionStore
{
    /// <inheritdoc />
    public string Description => "none";

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task WriteBatchAsync(
        IReadOnlyList<ScoredTransaction> rows, IReadOnlyList<QuarantineEntry> quarantine, CancellationToken cancellationToken, IReadOnlyList<ConsumedOffset>? offsets = null) =>
        Task.CompletedTask;

    /// <inheritdoc />
    public Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
