namespace Pipeline.Graph.Ingest;

/// <summary>
/// Remembers which record first claimed each transaction id, for a bounded time. Used by
/// <see cref="DedupeFlow"/>; called from one stage at a time, one batch at a time.
/// </summary>
public interface IDedupeStore : IAsyncDisposable
{
    /// <summary>A short name for logs (<c>memory</c>, <c>redis:host:port</c>).</summary>
    string Description { get; }

    /// <summary>
    /// Records the claims in order and tells, for each, whether it is a duplicate: true when another record
    /// (other coordinates) claimed the same transaction id earlier — earlier in the same batch included —
    /// and that claim has not expired. A claim repeated from the same coordinates is never a duplicate.
    /// Never fails because the backing service is unavailable: implementations degrade instead.
    /// </summary>
    /// <returns>One verdict per claim, in claim order.</returns>
    Task<bool[]> ClaimAsync(IReadOnlyList<DedupeClaim> claims, CancellationToken cancellationToken);
}
