namespace Pipeline.Models.Features.Internal;

/// <summary>
/// The non-empty buckets of one window, a segment of a <see cref="StateArena"/>, ascending by
/// index. In-order events update or append the last bucket (O(1)); out-of-order events insert from
/// the back, which is cheap because they are rarely far behind. Eviction drops a prefix without
/// moving the rest (see <see cref="StateArena"/>) and gives back the room of a segment it left
/// mostly empty.
/// </summary>
internal static class BucketList
{
    /// <summary>
    /// Drops buckets whose index is below <paramref name="firstRetained"/>, then adds one amount to
    /// the bucket <paramref name="index"/> (creating it) unless that bucket is itself below
    /// <paramref name="firstRetained"/>.
    /// </summary>
    public static void Apply(ref StateArena arena, int window, long index, double amount, long firstRetained)
    {
        var items = arena.Buckets(window);
        if (items.Length > 0 && items[0].Index < firstRetained)
        {
            EvictBefore(ref arena, window, items, firstRetained);
            items = arena.Buckets(window);
        }

        if (index < firstRetained) return;
        var i = items.Length - 1;
        while (i >= 0 && items[i].Index > index) i--;
        if (i >= 0 && items[i].Index == index)
        {
            ref var b = ref items[i];
            b.Count++;
            b.Sum += amount;
            b.SumOfSquares += amount * amount;
            return;
        }

        Insert(ref arena, window, i + 1, new Bucket { Index = index, Count = 1, Sum = amount, SumOfSquares = amount * amount });
    }

    /// <summary>Appends a bucket read from a snapshot (indices ascending).</summary>
    public static void AppendRestored(ref StateArena arena, int window, Bucket bucket) => Insert(ref arena, window, arena.Count(StateArena.FirstWindow + window), bucket);

    /// <summary>
    /// Totals over buckets with index in [<paramref name="from"/>, <paramref name="to"/>], summed
    /// from the newest bucket back: at most the retained bucket count, usually a handful.
    /// </summary>
    public static (int Count, double Sum, double SumOfSquares) Query(in StateArena arena, int window, long from, long to)
    {
        var count = 0;
        double sum = 0, squares = 0;
        var items = arena.Buckets(window);
        for (var i = items.Length - 1; i >= 0; i--)
        {
            ref readonly var b = ref items[i];
            if (b.Index < from) break;
            if (b.Index > to) continue;
            count += b.Count;
            sum += b.Sum;
            squares += b.SumOfSquares;
        }

        return (count, sum, squares);
    }

    private static void EvictBefore(ref StateArena arena, int window, Span<Bucket> items, long firstRetained)
    {
        var drop = 1;
        while (drop < items.Length && items[drop].Index < firstRetained) drop++;
        arena.DropFirst(StateArena.FirstWindow + window, drop);
        arena.Trim(StateArena.FirstWindow + window);
    }

    private static void Insert(ref StateArena arena, int window, int at, Bucket bucket)
    {
        var segment = StateArena.FirstWindow + window;
        arena.EnsureRoom(segment);
        var count = arena.Count(segment);
        arena.SetCount(segment, count + 1);
        var items = arena.Buckets(window);
        items[at..count].CopyTo(items[(at + 1)..]);
        items[at] = bucket;
    }
}
