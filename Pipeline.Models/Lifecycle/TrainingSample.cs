using Pipeline.Models.Domain;
using Pipeline.Models.Features;

namespace Pipeline.Models.Lifecycle;

/// <summary>
/// The most recent transactions with their account features, kept by the scoring stage for the
/// retraining actor: a ring buffer of fixed capacity (oldest entries are overwritten). An entry can
/// be excluded after it was added (its fraud label arrived late): it keeps its slot until
/// overwritten but is left out of every <see cref="Snapshot"/>, so a retrained candidate does not
/// learn confirmed fraud as normal traffic.
/// <para>
/// Thread-safe: the scoring stage adds on the stream's thread while the retraining actor copies
/// the buffer on another thread. Cost: O(1) per add and exclusion, O(capacity) per
/// <see cref="Snapshot"/>; memory O(capacity).
/// </para>
/// </summary>
public sealed class TrainingSample
{
    private readonly (Transaction Transaction, AccountFeatures Features)[] _items;
    private readonly bool[] _excluded;
    private readonly Dictionary<string, int> _slots;
    private readonly object _gate = new();
    private int _next;
    private int _count;
    private int _excludedCount;
    private long _added;

    /// <summary>A buffer of the last <paramref name="capacity"/> transactions (1 or more).</summary>
    public TrainingSample(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new (Transaction, AccountFeatures)[capacity];
        _excluded = new bool[capacity];
        _slots = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
    }

    /// <summary>The most entries the buffer holds.</summary>
    public int Capacity => _items.Length;

    /// <summary>Entries a <see cref="Snapshot"/> would return now (held and not excluded; at most <see cref="Capacity"/>).</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _count - _excludedCount;
        }
    }

    /// <summary>Entries added since creation, including overwritten and excluded ones.</summary>
    public long Added
    {
        get
        {
            lock (_gate) return _added;
        }
    }

    /// <summary>Adds a transaction, overwriting the oldest when full.</summary>
    public void Add(Transaction transaction, AccountFeatures features)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        lock (_gate)
        {
            if (_count == _items.Length)
            {
                var old = _items[_next].Transaction.TransactionId;
                if (_slots.TryGetValue(old, out var slot) && slot == _next) _slots.Remove(old);
                if (_excluded[_next]) _excludedCount--;
            }

            _items[_next] = (transaction, features);
            _excluded[_next] = false;
            _slots[transaction.TransactionId] = _next;
            _next = (_next + 1) % _items.Length;
            if (_count < _items.Length) _count++;
            _added++;
        }
    }

    /// <summary>Leaves the held transaction <paramref name="transactionId"/> out of later snapshots.</summary>
    /// <returns>True when the transaction was held and not yet excluded.</returns>
    public bool Exclude(string transactionId)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        lock (_gate)
        {
            if (!_slots.TryGetValue(transactionId, out var slot) || _excluded[slot]) return false;
            _excluded[slot] = true;
            _excludedCount++;
            return true;
        }
    }

    /// <summary>A copy of the entries not excluded, in arrival order, oldest first.</summary>
    public IReadOnlyList<(Transaction Transaction, AccountFeatures Features)> Snapshot()
    {
        lock (_gate)
        {
            var copy = new List<(Transaction, AccountFeatures)>(_count - _excludedCount);
            var start = (_next - _count + _items.Length) % _items.Length;
            for (var i = 0; i < _count; i++)
            {
                var slot = (start + i) % _items.Length;
                if (!_excluded[slot]) copy.Add(_items[slot]);
            }

            return copy;
        }
    }
}
