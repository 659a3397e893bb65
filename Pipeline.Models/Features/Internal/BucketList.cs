namespace Pipeline.Models.Features.Internal;

/// <summary>
/// The non-empty buckets of one window, ascending by index, in a growable array. In-order events
/// update or append the last bucket (O(1)); out-of-order events insert from the back, which is
/// cheap because they are rarely far behind. Eviction removes a prefix. A small array is kept when
/// the list empties (a quiet window of an active account would otherwise be reallocated at its next
/// event); a large one shrinks once three quarters of it are unused, so an account that was busy
/// once does not keep its peak memory.
/// </summary>
internal struct BucketList
{
    private const int ShrinkAbove = 4;

    private Bucket[]? _items;
    private int _count;

    public readonly int Count => _count;

    public readonly ReadOnlySpan<Bucket> Items => _items.AsSpan(0, _count);

    /// <summary>Bytes held by the backing array.</summary>
    public readonly int AllocatedBytes => _items is null ? 0 : 24 + (_items.Length * 28);

    /// <summary>
    /// Drops buckets whose index is below <paramref name="firstRetained"/>, then adds one amount to
    /// the bucket <paramref name="index"/> (creating it) unless that bucket is itself below
    /// <paramref name="firstRetained"/>.
    /// </summary>
    public void Apply(long index, double amount, long firstRetained, int capacityLimit)
    {
        EvictBefore(firstRetained);
        if (index < firstRetained) return;
        var i = _count - 1;
        var items = _items;
        if (items is not null)
        {
            while (i >= 0 && items[i].Index > index) i--;
            if (i >= 0 && items[i].Index == index)
            {
                ref var b = ref items[i];
                b.Count++;
                b.Sum += amount;
                b.SumOfSquares += amount * amount;
                return;
            }
        }

        Insert(i + 1, new Bucket { Index = index, Count = 1, Sum = amount, SumOfSquares = amount * amount }, capacityLimit);
    }

    /// <summary>Appends a bucket read from a snapshot (indices ascending).</summary>
    public void AppendRestored(Bucket bucket, int capacityLimit) => Insert(_count, bucket, capacityLimit);

    /// <summary>
    /// Totals over buckets with index in [<paramref name="from"/>, <paramref name="to"/>], summed
    /// from the newest bucket back: at most the retained bucket count, usually a handful.
    /// </summary>
    public readonly (int Count, double Sum, double SumOfSquares) Query(long from, long to)
    {
        var count = 0;
        double sum = 0, squares = 0;
        var items = _items;
        for (var i = _count - 1; i >= 0; i--)
        {
            ref readonly var b = ref items![i];
            if (b.Index < from) break;
            if (b.Index > to) continue;
            count += b.Count;
            sum += b.Sum;
            squares += b.SumOfSquares;
        }

        return (count, sum, squares);
    }

    private void EvictBefore(long firstRetained)
    {
        var items = _items;
        if (_count == 0 || items![0].Index >= firstRetained) return;
        var drop = 1;
        while (drop < _count && items[drop].Index < firstRetained) drop++;
        _count -= drop;
        if (items.Length > ShrinkAbove && _count < items.Length / 4)
        {
            var shrunk = new Bucket[Math.Max(2, _count * 2)];
            Array.Copy(items, drop, shrunk, 0, _count);
            _items = shrunk;
        }
        else if (_count > 0)
        {
            Array.Copy(items, drop, items, 0, _count);
        }
    }

    private void Insert(int at, Bucket bucket, int capacityLimit)
    {
        if (_items is null || _count == _items.Length)
        {
            // Grow by half, not double: most accounts hold few buckets, and memory per account is the budget.
            var grown = new Bucket[Math.Min(Math.Max(2, _count + (_count / 2)), Math.Max(capacityLimit, _count + 1))];
            if (_items is not null) Array.Copy(_items, grown, _count);
            _items = grown;
        }

        if (at < _count) Array.Copy(_items, at, _items, at + 1, _count - at);
        _items[at] = bucket;
        _count++;
    }
}
