namespace Pipeline.Models.Features.Internal;

/// <summary>
/// A bounded set of known values kept as 64-bit stable hashes with the newest event time each was
/// seen at. When full, a new value replaces the entry seen longest ago (least recently used in
/// event time); a value older than every entry is then not remembered. Linear scans: capacities
/// are small (≤ 1024, tens by default) and the entries are contiguous, so one pass per event
/// answers the lookup and the update together.
/// </summary>
internal struct KnownSet
{
    private KnownEntry[]? _items;
    private int _count;

    public readonly int Count => _count;

    public readonly ReadOnlySpan<KnownEntry> Items => _items.AsSpan(0, _count);

    public readonly int AllocatedBytes => _items is null ? 0 : 24 + (_items.Length * 16);

    /// <summary>True when <paramref name="hash"/> is in the set.</summary>
    public readonly bool Contains(ulong hash)
    {
        var items = _items;
        for (var i = 0; i < _count; i++)
        {
            if (items![i].Hash == hash) return true;
        }

        return false;
    }

    /// <summary>
    /// Records that <paramref name="hash"/> was seen at <paramref name="timeMs"/> and tells whether
    /// it was known before.
    /// </summary>
    public bool Touch(ulong hash, long timeMs, int capacity)
    {
        var items = _items;
        var oldest = -1;
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref items![i];
            if (e.Hash == hash)
            {
                if (timeMs > e.LastSeenMs) e.LastSeenMs = timeMs;
                return true;
            }

            if (oldest < 0 || e.LastSeenMs < items[oldest].LastSeenMs) oldest = i;
        }

        if (_count < capacity)
        {
            if (items is null || _count == items.Length)
            {
                var grown = new KnownEntry[Math.Min(capacity, Math.Max(2, _count + (_count / 2)))];
                if (items is not null) Array.Copy(items, grown, _count);
                _items = items = grown;
            }

            items[_count++] = new KnownEntry { Hash = hash, LastSeenMs = timeMs };
            return false;
        }

        if (oldest >= 0 && items![oldest].LastSeenMs < timeMs)
        {
            items[oldest] = new KnownEntry { Hash = hash, LastSeenMs = timeMs };
        }

        return false;
    }

    /// <summary>For each window start in <paramref name="fromMs"/>, the values last seen at or after it, into <paramref name="counts"/>.</summary>
    public readonly void CountSeenSince(ReadOnlySpan<long> fromMs, Span<int> counts)
    {
        counts[..fromMs.Length].Clear();
        var items = _items;
        for (var i = 0; i < _count; i++)
        {
            var seen = items![i].LastSeenMs;
            for (var w = 0; w < fromMs.Length; w++)
            {
                if (seen >= fromMs[w]) counts[w]++;
            }
        }
    }

    /// <summary>Restores entries from a snapshot, keeping the <paramref name="capacity"/> seen most recently.</summary>
    public void Restore(KnownEntry[] entries, int capacity)
    {
        if (entries.Length > capacity)
        {
            entries = entries.OrderByDescending(e => e.LastSeenMs).ThenBy(e => e.Hash).Take(capacity).ToArray();
        }

        _items = entries.Length == 0 ? null : entries;
        _count = entries.Length;
    }
}
