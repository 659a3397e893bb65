using Pipeline.Models.Domain;

namespace Pipeline.Graph.Sinks;

/// <summary>
/// Where scored transactions and quarantined records become durable. A batch is written in one
/// transaction and is idempotent: writing the same rows again (a replay after a crash) adds nothing.
/// Implementations never block the caller's thread.
/// </summary>
public interface ITransactionStore : IAsyncDisposable
{
    /// <summary>A short name for logs and errors (<c>sqlite:/path</c>, <c>none</c>).</summary>
    string Description { get; }

    /// <summary>Creates or migrates the schema; fails with a clear message when the store is unusable.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Writes one batch atomically; returns when it is durable.</summary>
    /// <param name="rows">Scored transactions; rows already present are skipped.</param>
    /// <param name="quarantine">Quarantined records; records already present are skipped.</param>
    /// <param name="cancellationToken">Abandons the write (the transaction rolls back).</param>
    /// <param name="offsets">The batch's next offset per partition. A store that keeps consumer
    /// offsets writes them in the same transaction as the rows; others ignore them.</param>
    Task WriteBatchAsync(
        IReadOnlyList<ScoredTransaction> rows,
        IReadOnlyList<QuarantineEntry> quarantine,
        CancellationToken cancellationToken,
        IReadOnlyList<ConsumedOffset>? offsets = null);

    /// <summary>
    /// How many batches the store stage may have in <see cref="WriteBatchAsync"/> at once (1 unless the store
    /// writes on several connections). The stage still releases offsets in input order, so a batch's offsets
    /// commit only after it and every batch before it are durable.
    /// </summary>
    int ConcurrentWrites => 1;

    /// <summary>True when the store answers a trivial query (readiness).</summary>
    Task<bool> IsHealthyAsync(CancellationToken cancellationToken);
}
