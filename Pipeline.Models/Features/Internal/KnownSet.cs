namespace Pipeline.Models.Features.Internal;

/// <summary>
/// A bounded set of known values, one segment of a <see cref="StateArena"/>, kept as 64-bit stable
/// hashes with the newest event time each was seen at. When full, a new value replaces the entry
/// seen longest ago (least recently used in event time); a value older than every entry is then
/// not remembered. Linear scans: capacities are small (≤ 1024, tens by default) and the entries
/// are contiguous, so one pass per event answers the lookup and the update together.
/// </summary>
internal static class KnownSet
{
    /// <summary>True when <paramref name="hash"/> is in the set.</summary>
    public static bool Contains(in StateArena arena, int set, ulong hash)
    {
        foreach (ref readonly var e in arena.Known(set))
        {
            if (e.Hash == hash) return true;
        }

        return false;
    }

    /// <summary>
    /// Records that <paramref name="hash"/> was seen at <paramref name="timeMs"/> and tells whether
    /// it was known before.
    /// </summary>
    public static bool Touch(ref StateArena arena, int set, ulong hash, long timeMs, int capacity)
    {
        var items = arena.Known(set);
        var oldest = -1;
        var oldestMs = long.MaxValue;
        for (var i = 0; i < items.Length; i++)
        {
            ref var e = ref items[i];
            if (e.Hash == hash)
            {
                if (timeMs > e.LastSeenMs) e.LastSeenMs = timeMs;
                return true;
            }

            if (e.LastSeenMs < oldestMs || oldest < 0)
            {
                oldest = i;
                oldestMs = e.LastSeenMs;
            }
        }

        var count = items.Length;
        if (count < capacity)
        {
            arena.EnsureRoom(set);
            arena.SetCount(set, count + 1);
            arena.Known(set)[count] = new KnownEntry { Hash = hash, LastSeenMs = timeMs };
            return false;
        }

        if (oldest >= 0 && items[oldest].LastSeenMs < timeMs)
        {
            items[oldest] = new KnownEntry { Hash = hash, LastSeenMs = timeMs };
        }

        return false;
    }

    /// <summary>For each window start in <paramref name="fromMs"/>, the values last seen at or after it, into <paramref name="counts"/>.</summary>
    public static void CountSeenSince(in StateArena arena, int set, ReadOnlySpan<long> fromMs, Span<int> counts)
    {
        counts[..fromMs.Length].Clear();
        var entries = arena.Known(set);
        for (var w = 0; w < fromMs.Length; w++)
        {
            // Whether an entry counts is a coin flip for the branch predictor: add the comparison instead.
            var from = fromMs[w];
            var count = 0;
            foreach (ref readonly var e in entries) count += e.LastSeenMs >= from ? 1 : 0;
            counts[w] = count;
        }
    }

    /// <summary>Replaces the set with <paramref name="entries"/> from a snapshot, keeping the <paramref name="capacity"/> seen most recently.</summary>
    public static void Restore(ref StateArena arena, int set, KnownEntry[] entries, int capacity)
    {
        if (entries.Length > capacity)
        {
            entries = entries.OrderByDescending(e => e.LastSeenMs).ThenBy(e => e.Hash).Take(capacity).ToArray();
        }

        if (arena.Count(set) != 0) arena.SetCount(set, 0);
        foreach (var entry in entries)
        {
            arena.EnsureRoom(set);
            var count = arena.Count(set);
            arena.SetCount(set, count + 1);
            arena.Known(set)[count] = entry;
        }
    }
}
