using System.Runtime.InteropServices;
using Pipeline.Graph.Windows.Internal;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Windows;

/// <summary>
/// The embedded default feature store: snapshots in a dictionary of this process, with the same
/// stale-write guard as Redis. It outlives a stream (a restarted graph in the same host resumes
/// its accounts) but not the process. An account not checkpointed for <c>memory.ttl</c> is
/// forgotten (removed by a sweep that runs as the store grows), so memory stays bounded by the
/// accounts active within the TTL. Operations complete synchronously. Thread-safe through one
/// lock taken once per batch (stages call with batches of hundreds of accounts). A flow of this
/// process hands over the states it lets go of as objects (serialized only if loaded again);
/// snapshots saved through <see cref="SaveAsync"/> are
/// copied into a buffer the account keeps and reuses while its state does not outgrow it: a
/// checkpoint costs one dictionary lookup and a copy, and the caller's array dies young instead
/// of every checkpoint turning into long-lived garbage for the collector.
/// <para>
/// Because it lives in the stage's own process, an <see cref="AccountWindowsFlow"/> does not write
/// it per record (a copy in the same process survives nothing the live state does not): it writes
/// an account when the account leaves the stage — idle eviction, stream stop, or a load of the
/// account by another flow sharing the store (its partition moved to another consumer of this
/// process), which first asks the holding flow to write and release it. Callers of
/// <see cref="LoadAsync(IReadOnlyList{string}, CancellationToken)"/> therefore always get an account's latest state.
/// </para>
/// </summary>
public sealed class InMemoryFeatureStateStore : IFeatureStateStore
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<AccountHandover> _holders = [];
    private readonly Lock _gate = new();
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
    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]?>> LoadAsync(IReadOnlyList<string> accountIds, CancellationToken cancellationToken) => LoadAsync(accountIds, caller: null);

    /// <summary>
    /// Loads <paramref name="accountIds"/> after every running flow but <paramref name="caller"/>
    /// has written and released those it holds; synchronous while no other flow is registered.
    /// </summary>
    internal Task<IReadOnlyList<byte[]?>> LoadAsync(IReadOnlyList<string> accountIds, AccountHandover? caller)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        AccountHandover[]? others = null;
        lock (_gate)
        {
            var count = _holders.Count - (caller is not null && _holders.Contains(caller) ? 1 : 0);
            if (count > 0)
            {
                others = new AccountHandover[count];
                var i = 0;
                foreach (var h in _holders)
                {
                    if (!ReferenceEquals(h, caller)) others[i++] = h;
                }
            }
        }

        return others is null ? Task.FromResult(Read(accountIds)) : ReleaseThenReadAsync(accountIds, others);
    }

    /// <summary>
    /// Reads one account at once, without a task or a batch, when no flow but
    /// <paramref name="caller"/> is registered (none can hold the account unwritten); false when
    /// one is, and the account must be loaded through <see cref="LoadAsync(IReadOnlyList{string}, AccountHandover?)"/>.
    /// </summary>
    internal bool TryReadNow(string accountId, AccountHandover? caller, out byte[]? state)
    {
        var now = _clock.GetUtcNow().UtcTicks;
        lock (_gate)
        {
            foreach (var holder in _holders)
            {
                if (!ReferenceEquals(holder, caller))
                {
                    state = null;
                    return false;
                }
            }

            state = _entries.TryGetValue(accountId, out var e) && e.ExpiresAtTicks > now
                ? e.State is { } kept ? kept.ToBytes() : e.Buffer.AsSpan(0, e.Length).ToArray()
                : null;
            return true;
        }
    }

    /// <summary>Registers a running flow that holds accounts not yet written here.</summary>
    internal void Register(AccountHandover holder)
    {
        lock (_gate) _holders.Add(holder);
    }

    /// <summary>Removes a flow that stopped after writing every account it held.</summary>
    internal void Unregister(AccountHandover holder)
    {
        lock (_gate) _holders.Remove(holder);
    }

    private async Task<IReadOnlyList<byte[]?>> ReleaseThenReadAsync(IReadOnlyList<string> accountIds, AccountHandover[] others)
    {
        var released = new Task[others.Length];
        for (var i = 0; i < others.Length; i++) released[i] = others[i].ReleaseAsync(accountIds);
        await Task.WhenAll(released).ConfigureAwait(false);
        return Read(accountIds);
    }

    private IReadOnlyList<byte[]?> Read(IReadOnlyList<string> accountIds)
    {
        var now = _clock.GetUtcNow().UtcTicks;
        var result = new byte[]?[accountIds.Count];
        lock (_gate)
        {
            for (var i = 0; i < result.Length; i++)
            {
                if (_entries.TryGetValue(accountIds[i], out var e) && e.ExpiresAtTicks > now)
                {
                    result[i] = e.State is { } state ? state.ToBytes() : e.Buffer.AsSpan(0, e.Length).ToArray();
                }
            }
        }

        return result;
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(IReadOnlyList<FeatureCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        var now = _clock.GetUtcNow();
        var expiresAt = (now + _ttl).UtcTicks;
        var stale = 0;
        lock (_gate)
        {
            foreach (var c in checkpoints)
            {
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, c.AccountId, out var exists);
                if (exists && entry.Position.SamePartitionAs(c.Position) && entry.Position.Offset > c.Position.Offset)
                {
                    stale++;
                    continue;
                }

                var length = c.State.Length;
                if (!exists || entry.Buffer is null || entry.Buffer.Length < length)
                {
                    // Room for a quarter more: a growing account does not reallocate at every checkpoint.
                    entry.Buffer = GC.AllocateUninitializedArray<byte>(exists ? length + (length / 4) : length);
                }

                c.State.Span.CopyTo(entry.Buffer);
                entry.Length = length;
                entry.State = null;
                entry.Position = c.Position;
                entry.ExpiresAtTicks = expiresAt;
            }

            _writesSinceSweep += checkpoints.Count;
            if (_writesSinceSweep > Math.Max(1024, _entries.Count))
            {
                // Amortised: a full pass after as many writes as there are entries.
                _writesSinceSweep = 0;
                Sweep(now.UtcTicks);
            }
        }

        return Task.FromResult(stale);
    }

    /// <summary>
    /// Takes over states that a flow of this process released (it will never touch them again):
    /// they are kept as they are and serialized only when loaded, so a flow letting go of many
    /// accounts at once — a stream stopping with 100,000 accounts in memory — costs a lookup per
    /// account instead of a serialization and a copy. The same stale-write guard as
    /// <see cref="SaveAsync"/> applies.
    /// </summary>
    /// <returns>States not kept because the store held one further along on the same partition.</returns>
    internal int Keep(IReadOnlyList<(string AccountId, AccountState State)> released)
    {
        var expiresAt = (_clock.GetUtcNow() + _ttl).UtcTicks;
        var stale = 0;
        lock (_gate)
        {
            foreach (var (id, state) in released)
            {
                var position = state.LastApplied!.Value;
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, id, out var exists);
                if (exists && entry.Position.SamePartitionAs(position) && entry.Position.Offset > position.Offset)
                {
                    stale++;
                    continue;
                }

                entry.State = state;
                entry.Length = 0;
                entry.Position = position;
                entry.ExpiresAtTicks = expiresAt;
            }

            _writesSinceSweep += released.Count;
            if (_writesSinceSweep > Math.Max(1024, _entries.Count))
            {
                _writesSinceSweep = 0;
                Sweep(_clock.GetUtcNow().UtcTicks);
            }
        }

        return stale;
    }

    private void Sweep(long nowTicks)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAtTicks <= nowTicks) _entries.Remove(key);
        }
    }

    /// <summary>One account's checkpoint: <see cref="State"/> when a flow handed it over, else the first <see cref="Length"/> bytes of <see cref="Buffer"/>.</summary>
    private struct Entry
    {
        public RecordPosition Position;
        public AccountState? State;
        public byte[]? Buffer;
        public int Length;
        public long ExpiresAtTicks;
    }
}
