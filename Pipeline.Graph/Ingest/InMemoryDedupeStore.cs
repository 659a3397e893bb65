using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// The embedded default's dedupe store, and the fallback of <see cref="RedisDedupeStore"/>: a bounded map
/// from transaction id to the coordinates of the record that claimed it. An id is forgotten after the TTL,
/// or earlier when the store is full and it is the oldest (eviction in claim order, which is also expiry
/// order because every entry lives for the same TTL).
/// </summary>
/// <remarks>
/// <para>Layout: the entries live in a ring in claim order (a 36-byte slot: the 16-byte id, topic index,
/// partition, offset and expiry), so the oldest is always at the ring's head and forgetting it needs no
/// search. An open-addressing index of 8-byte cells (a 32-bit hash of the id beside the entry's ring position),
/// at most half full, finds an id. A claim of a new id therefore touches about two random cache lines, one cell
/// of the index to miss and, when the store is full, one to remove the oldest, where a
/// <see cref="Dictionary{TKey,TValue}"/> with a queue beside it touched six or more on a map far larger than the
/// cache. The ring and the index grow by doubling up to the capacity and are never reallocated after that.</para>
/// <para>Memory: 52 to 68 bytes per remembered id at capacity (the ring's slot and two to four index cells);
/// the default capacity of 1,000,000 ids needs about 53 MB once full. <c>InMemoryDedupeStoreTests</c> measures it
/// at 200,000 ids.</para>
/// <para>Ids are hashed with XxHash3 under a per-store random seed (as the PII token cache keys its entries), so a
/// producer that chooses its transaction ids cannot aim them at one cluster of the index.</para>
/// <para>What it cannot do: it forgets everything on restart and knows nothing of other hosts, so a duplicate
/// that arrives after a restart, or at another host of the group, is processed again (the store's idempotent
/// write still prevents a second row with the same id and event time). Use <see cref="RedisDedupeStore"/> when
/// that matters.</para>
/// <para>Not thread-safe: one caller at a time (the dedupe stage awaits each batch before the next).</para>
/// </remarks>
public sealed class InMemoryDedupeStore : IDedupeStore
{
    private const int InitialSlots = 1024;

    private readonly int _capacity;
    private readonly long _ttlSeconds;
    private readonly TimeProvider _clock;
    private readonly DateTimeOffset _epoch;
    private readonly long _seed;

    // The ring: _count entries from _head, oldest first (wrapping at the ring's end).
    private Slot[] _ring;
    private int _head;
    private int _count;

    // Open addressing with linear probing; a cell is (hash << 32) | (ring position + 1), 0 when empty.
    private ulong[] _index;
    private int _mask;

    // Topic names repeat for every record: slots keep a small index instead of a string reference.
    private readonly Dictionary<string, int> _topicIndex = new(StringComparer.Ordinal);
    private readonly List<string> _topics = [];

    /// <summary>A store remembering at most <paramref name="capacity"/> ids, each for <paramref name="ttl"/>.</summary>
    public InMemoryDedupeStore(int capacity, TimeSpan ttl, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 29);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(clock);
        _capacity = capacity;
        _ttlSeconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        _clock = clock;
        _epoch = clock.GetUtcNow();
        _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));
        _ring = new Slot[Math.Min(capacity, InitialSlots)];
        _index = new ulong[IndexSizeFor(_ring.Length)];
        _mask = _index.Length - 1;
    }

    /// <inheritdoc />
    public string Description => "memory";

    /// <summary>Ids remembered now.</summary>
    public int Count => _count;

    /// <inheritdoc />
    public Task<bool[]> ClaimAsync(IReadOnlyList<DedupeClaim> claims, CancellationToken cancellationToken) => Task.FromResult(Claim(claims));

    /// <summary>The synchronous form of <see cref="ClaimAsync"/>.</summary>
    public bool[] Claim(IReadOnlyList<DedupeClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var now = (long)(_clock.GetUtcNow() - _epoch).TotalSeconds;
        Expire(now);
        var expiresAt = (int)Math.Min(int.MaxValue, now + _ttlSeconds);
        var verdicts = new bool[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            var hash = Hash(claim.TransactionId);
            var position = Find(claim.TransactionId, hash);
            if (position >= 0)
            {
                ref var owner = ref _ring[position];
                verdicts[i] = !(owner.Partition == claim.Partition && owner.Offset == claim.Offset && string.Equals(_topics[owner.Topic], claim.Topic, StringComparison.Ordinal));
                continue;
            }

            // Only a new id makes room: a copy of a remembered one must not push anything out.
            if (_count == _ring.Length)
            {
                if (_ring.Length < _capacity) Grow();
                else EvictOldest();
            }

            var tail = _head + _count;
            if (tail >= _ring.Length) tail -= _ring.Length;
            _ring[tail] = new Slot(claim.TransactionId, claim.Offset, claim.Partition, Intern(claim.Topic), expiresAt);
            Insert(hash, tail);
            _count++;
        }

        return verdicts;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Expire(long now)
    {
        while (_count > 0 && _ring[_head].ExpiresAt <= now) EvictOldest();
    }

    private int Find(Guid id, uint hash)
    {
        var index = _index;
        var i = (int)hash & _mask;
        while (true)
        {
            var cell = index[i];
            if (cell == 0) return -1;
            if ((uint)(cell >> 32) == hash)
            {
                var position = (int)(uint)cell - 1;
                if (_ring[position].Id == id) return position;
            }

            i = (i + 1) & _mask;
        }
    }

    private void Insert(uint hash, int position)
    {
        var i = (int)hash & _mask;
        while (_index[i] != 0) i = (i + 1) & _mask;
        _index[i] = ((ulong)hash << 32) | (uint)(position + 1);
    }

    private void EvictOldest()
    {
        var position = _head;
        var hash = Hash(_ring[position].Id);
        var cellValue = ((ulong)hash << 32) | (uint)(position + 1);
        var i = (int)hash & _mask;
        while (_index[i] != cellValue) i = (i + 1) & _mask;
        RemoveAt(i);
        _ring[position] = default;
        _head = position + 1 == _ring.Length ? 0 : position + 1;
        _count--;
    }

    // Backward-shift deletion: later cells of the cluster that may live at the hole move into it, so a
    // lookup never stops early at a hole and no tombstones pile up under steady churn.
    private void RemoveAt(int hole)
    {
        var index = _index;
        var j = hole;
        while (true)
        {
            j = (j + 1) & _mask;
            var cell = index[j];
            if (cell == 0) break;
            var home = (int)(cell >> 32) & _mask;
            var stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) continue;
            index[hole] = cell;
            hole = j;
        }

        index[hole] = 0;
    }

    private void Grow()
    {
        // Called only when the ring is full: its entries run from the head to the end, then from the start.
        var ring = new Slot[(int)Math.Min(_capacity, 2L * _ring.Length)];
        _ring.AsSpan(_head).CopyTo(ring);
        _ring.AsSpan(0, _head).CopyTo(ring.AsSpan(_ring.Length - _head));

        _ring = ring;
        _head = 0;
        _index = new ulong[IndexSizeFor(ring.Length)];
        _mask = _index.Length - 1;
        for (var k = 0; k < _count; k++) Insert(Hash(ring[k].Id), k);
    }

    // At most half full, so a miss ends after a cell or two.
    private static int IndexSizeFor(int slots) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, 2 * slots));

    private uint Hash(Guid id)
    {
        var h = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<Guid>(in id)), _seed);
        return (uint)(h ^ (h >> 32));
    }

    private int Intern(string topic)
    {
        if (_topicIndex.TryGetValue(topic, out var index)) return index;
        index = _topics.Count;
        _topics.Add(topic);
        _topicIndex.Add(topic, index);
        return index;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly record struct Slot(Guid Id, long Offset, int Partition, int Topic, int ExpiresAt);
}
