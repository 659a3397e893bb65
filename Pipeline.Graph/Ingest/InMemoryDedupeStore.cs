namespace Pipeline.Graph.Ingest;

/// <summary>
/// The embedded default's dedupe store, and the fallback of <see cref="RedisDedupeStore"/>: a bounded map
/// from transaction id to the coordinates of the record that claimed it. An id is forgotten after the TTL,
/// or earlier when the store is full and it is the oldest (eviction in claim order, which is also expiry
/// order because every entry lives for the same TTL).
/// </summary>
/// <remarks>
/// <para>Memory: about 80 bytes per remembered id on 64-bit .NET (measured by
/// <c>InMemoryDedupeStoreTests</c>): the id is kept as a 16-byte <see cref="Guid"/>, the coordinates as
/// an interned topic reference, a partition and an offset, plus one slot in the eviction queue. The default
/// capacity of 1,000,000 ids therefore needs about 80 MB once full.</para>
/// <para>What it cannot do: it forgets everything on restart and knows nothing of other hosts, so a duplicate
/// that arrives after a restart, or at another host of the group, is processed again (the store's idempotent
/// write still prevents a second row with the same id and event time). Use <see cref="RedisDedupeStore"/> when
/// that matters.</para>
/// <para>Not thread-safe: one caller at a time (the dedupe stage awaits each batch before the next).</para>
/// </remarks>
public sealed class InMemoryDedupeStore : IDedupeStore
{
    private readonly int _capacity;
    private readonly long _ttlTicks;
    private readonly TimeProvider _clock;
    private readonly Dictionary<Guid, Entry> _entries = new();
    private readonly Queue<(Guid Id, long ExpiresAt)> _order = new();

    // Topic names repeat for every record; each record's topic text is a fresh string, so keep one per name.
    private readonly Dictionary<string, string> _topics = new(StringComparer.Ordinal);

    /// <summary>A store remembering at most <paramref name="capacity"/> ids, each for <paramref name="ttl"/>.</summary>
    public InMemoryDedupeStore(int capacity, TimeSpan ttl, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(clock);
        _capacity = capacity;
        _ttlTicks = ttl.Ticks;
        _clock = clock;
    }

    /// <inheritdoc />
    public string Description => "memory";

    /// <summary>Ids remembered now.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public Task<bool[]> ClaimAsync(IReadOnlyList<DedupeClaim> claims, CancellationToken cancellationToken) => Task.FromResult(Claim(claims));

    /// <summary>The synchronous form of <see cref="ClaimAsync"/>.</summary>
    public bool[] Claim(IReadOnlyList<DedupeClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var now = _clock.GetUtcNow().UtcTicks;
        Expire(now);
        var verdicts = new bool[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            if (_entries.TryGetValue(claim.TransactionId, out var owner))
            {
                verdicts[i] = !(owner.Partition == claim.Partition && owner.Offset == claim.Offset && string.Equals(owner.Topic, claim.Topic, StringComparison.Ordinal));
                continue;
            }

            if (_entries.Count >= _capacity) Evict();
            _entries.Add(claim.TransactionId, new Entry(Intern(claim.Topic), claim.Partition, claim.Offset));
            _order.Enqueue((claim.TransactionId, now + _ttlTicks));
        }

        return verdicts;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Expire(long now)
    {
        while (_order.TryPeek(out var head) && head.ExpiresAt <= now) Evict();
    }

    private void Evict()
    {
        var (id, _) = _order.Dequeue();
        _entries.Remove(id);
    }

    private string Intern(string topic)
    {
        if (_topics.TryGetValue(topic, out var shared)) return shared;
        _topics[topic] = topic;
        return topic;
    }

    private readonly record struct Entry(string Topic, int Partition, long Offset);
}
