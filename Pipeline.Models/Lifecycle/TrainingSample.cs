using Pipeline.Models.Domain;
using Pipeline.Models.Features;

namespace Pipeline.Models.Lifecycle;

/// <summary>
/// The most recent transactions with their account features, kept by the scoring stage for the
/// retraining actor: a ring buffer of fixed capacity (oldest entries are overwritten).
/// <para>
/// Thread-safe: the scoring stage adds on the stream's thread while the retraining actor copies
/// the buffer on another thread. Cost: O(1) per add, O(capacity) per <see cref="Snapshot"/>.
/// </para>
/// </summary>
public sealed class TrainingSample
{
    private readonly (Transaction Transaction, AccountFeatures Features)[] _items;
    private readonly object _gate = new();
    private int _next;
    private int _count;
    private long _added;

    /// <summary>A buffer of the last <paramref name="capacity"/> transactions (1 or more).</summary>
    public TrainingSample(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new (Transaction, AccountFeatures)[capacity];
    }

    /// <summary>The most entries the buffer holds.</summary>
    public int Capacity => _items.Length;

    /// <summary>Entries held now (at most <see cref="Capacity"/>).</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _count;
        }
    }

    /// <summary>Entries added since creation, including overwritten ones.</summary>
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
        lock (_gate)
        {
            _items[_next] = (transaction, features);
            _next = (_next + 1) % _items.Length;
            if (_count < _items.Length) _count++;
            _added++;
        }
    }

    /// <summary>A copy of the entries in arrival order, oldest first.</summary>
    public IReadOnlyList<(Transaction Transaction, AccountFeatures Features)> Snapshot()
    {
        lock (_gate)
        {
            var copy = new (Transaction, AccountFeatures)[_count];
            var start = (_next - _count + _items.Length) % _items.Length;
            for (var i = 0; i < _count; i++) copy[i] = _items[(start + i) % _items.Length];
            return copy;
        }
    }
}
