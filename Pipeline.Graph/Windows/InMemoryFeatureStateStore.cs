using System.Collections.Concurrent;

namespace Pipeline.Graph.Windows;

/// <summary>
/// The embedded default feature store: snapshots in a dictionary of this process, with the same
/// stale-write guard as Redis. It outlives a stream (a restarted graph in the same host resumes
/// its accounts) but not the process. An account not checkpointed for <c>memory.ttl</c> is
/// forgotten (removed by a sweep that runs as the store grows), so memory stays bounded by the
/// accounts active within the TTL. Operations complete synchronously.
/// </summary>
public sealed class InMemoryFeatureStateStore : IFeatureStateStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly TimeSpan _ttl;
    private long _writesSinceSweep;

    /// <summary>A store forgetting accounts <paramref name="ttl"/> after their last checkpoint, on <paramref name="clock"/>.</summary>
    public InMemoryFeatureStateStore(TimeSpan ttl, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(clock);
        _ttl = ttl;
        _clock = clock;
    }

    /// <inheritdoc />
    public string Description => "in-memory feature store";

    /// <summary>Accounts held.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]?>> LoadAsync(IReadOnlyList<string> accountIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        var now = _clock.GetUtcNow();
        var result = new byte[]?[accountIds.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = _entries.TryGetValue(accountIds[i], out var e) && e.ExpiresAt > now ? e.Checkpoint.State : null;
        }

        return Task.FromResult<IReadOnlyList<byte[]?>>(result);
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(IReadOnlyList<FeatureCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        var expiresAt = _clock.GetUtcNow() + _ttl;
        var stale = 0;
        foreach (var c in checkpoints)
        {
            var written = _entries.AddOrUpdate(
                c.AccountId,
                static (_, arg) => new Entry(arg.c, arg.expiresAt),
                static (_, old, arg) => old.Checkpoint.Position.SamePartitionAs(arg.c.Position) && old.Checkpoint.Position.Offset > arg.c.Position.Offset
                    ? old
                    : new Entry(arg.c, arg.expiresAt),
                (c, expiresAt));
            if (!ReferenceEquals(written.Checkpoint, c)) stale++;
        }

        if (Interlocked.Add(ref _writesSinceSweep, checkpoints.Count) > Math.Max(1024, _entries.Count))
        {
            Interlocked.Exchange(ref _writesSinceSweep, 0);
            Sweep();
        }

        return Task.FromResult(stale);
    }

    private void Sweep()
    {
        var now = _clock.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now) _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }

    private sealed record Entry(FeatureCheckpoint Checkpoint, DateTimeOffset ExpiresAt);
}
