namespace Pipeline.Models.Features.Internal;

/// <summary>
/// The non-empty buckets of one window, ascending by index, in a growable array. In-order events
/// append or update the last bucket (O(1)); out-of-order events insert from the back, which is
/// cheap because they are rarely far behind. Eviction removes a prefix.
/// </summary>
internal struct BucketList
{
    private Bucket[]? _items;
    private int _count;

    public readonly int Count => _count;

    public readonly ReadOnlySpan<Bucket> Items => _items.AsSpan(0, _count);

    /// <summary>Drops buckets whose index is below <paramref name="firstRetained"/>.</summary>
    public void EvictBefore(long firstRetained)
    {
        if (_count == 0 || _items![0].Index >= firstRetained) return;
        var drop = 0;
        while (drop < _count && _items[drop].Index < firstRetained) drop++;
        Array.Copy(_items, drop, _items, 0, _count - drop);
        _count -= drop;
        if (_count == 0) _items = null;
    }

    /// <summary>Adds one amount to the bucket <paramref name="index"/>, creating it when needed.</summary>
    public void Add(long index, double amount, int capacityLimit)
    {
        var i = _count - 1;
        while (i >= 0 && _items![i].Index > index) i--;
        if (i >= 0 && _items![i].Index == index)
        {
            ref var b = ref _items[i];
            b.Count++;
            b.Sum += amount;
            b.SumOfSquares += amount * amount;
            return;
        }

        Insert(i + 1, new Bucket { Index = index, Count = 1, Sum = amount, SumOfSquares = amount * amount }, capacityLimit);
    }

    /// <summary>Appends a bucket read from a snapshot (indices ascending).</summary>
    public void AppendRestored(Bucket bucket, int capacityLimit) => Insert(_count, bucket, capacityLimit);

    /// <summary>Totals over buckets with index in [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public readonly (int Count, double Sum, double SumOfSquares) Query(long from, long to)
    {
        var count = 0;
        double sum = 0, squares = 0;
        for (var i = _count - 1; i >= 0; i--)
        {
            ref readonly var b = ref _items![i];
            if (b.Index < from) break;
            if (b.Index > to) continue;
            count += b.Count;
            sum += b.Sum;
            squares += b.SumOfSquares;
        }

        return (count, sum, squares);
    }

    /// <summary>Bytes held by the backing array.</summary>
    public readonly int AllocatedBytes => _items is null ? 0 : 24 + (_items.Length * 28);

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
