namespace Pipeline.Models.Features.Internal;

/// <summary>
/// A bounded set of known values kept as 64-bit stable hashes with the newest event time each was
/// seen at. When full, a new value replaces the entry seen longest ago (least recently used in
/// event time); a value older than every entry is then not remembered. Linear scans: capacities
/// are small (≤ 1024, tens by default).
/// </summary>
internal struct KnownSet
{
    private KnownEntry[]? _items;
    private int _count;

    public readonly int Count => _count;

    public readonly ReadOnlySpan<KnownEntry> Items => _items.AsSpan(0, _count);

    public readonly bool Contains(ulong hash)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_items![i].Hash == hash) return true;
        }

        return false;
    }

    /// <summary>Records that <paramref name="hash"/> was seen at <paramref name="timeMs"/>.</summary>
    public void Touch(ulong hash, long timeMs, int capacity)
    {
        var oldest = -1;
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref _items![i];
            if (e.Hash == hash)
            {
                if (timeMs > e.LastSeenMs) e.LastSeenMs = timeMs;
                return;
            }

            if (oldest < 0 || e.LastSeenMs < _items[oldest].LastSeenMs) oldest = i;
        }

        if (_count < capacity)
        {
            if (_items is null || _count == _items.Length)
            {
                var grown = new KnownEntry[Math.Min(capacity, Math.Max(2, _count + (_count / 2)))];
                if (_items is not null) Array.Copy(_items, grown, _count);
                _items = grown;
            }

            _items[_count++] = new KnownEntry { Hash = hash, LastSeenMs = timeMs };
            return;
        }

        if (oldest >= 0 && _items![oldest].LastSeenMs < timeMs)
        {
            _items[oldest] = new KnownEntry { Hash = hash, LastSeenMs = timeMs };
        }
    }

    /// <summary>Values last seen at or after <paramref name="fromMs"/>.</summary>
    public readonly int CountSeenSince(long fromMs)
    {
        var n = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_items![i].LastSeenMs >= fromMs) n++;
        }

        return n;
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

    public readonly int AllocatedBytes => _items is null ? 0 : 24 + (_items.Length * 16);
}
