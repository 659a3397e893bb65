using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Features.Internal;

/// <summary>
/// The variable-size part of an account's state — the known-merchant, -country and -device sets
/// and every window's buckets — as consecutive segments of one byte array behind a header of
/// (count, end offset) pairs. One array instead of one per set and window keeps an account on a few
/// adjacent cache lines (with 100,000 accounts an event would otherwise miss the cache once per
/// array) and pays one object header instead of six.
/// <para>
/// A full segment grows by one element into the spare room at the end of the array, shifting the
/// segments behind it (a few hundred bytes, already in cache); only when the room is used up is
/// the array reallocated, half again as large. The first allocation leaves room for the first few
/// dozen values and buckets: an array that grew with every event would be a new object surviving
/// into an old account at nearly every event, which is what makes garbage collections expensive
/// with 100,000 accounts in memory. A segment that eviction left mostly empty gives its
/// room back, and the array is reallocated smaller once more than half of it is unused, so an
/// account that was busy once does not keep its peak memory.
/// </para>
/// </summary>
internal struct StateArena
{
    public const int Merchants = 0;
    public const int Countries = 1;
    public const int Devices = 2;
    public const int FirstWindow = 3;

    private const int EntryBytes = 16;
    private const int BucketBytes = 28;
    private const int FirstAllocationRoom = 512;
    private const int ShrinkAbove = 256;

    private const int CacheLineBytes = 64;

    private readonly int _segments;
    private byte[]? _data;

    // Where the last segment's room ends, kept beside the array reference so Prefetch knows how
    // much to fetch without reading the array it is about to fetch.
    private int _used;

    /// <summary>An empty arena for the three known sets and <paramref name="windows"/> windows; allocates on first growth.</summary>
    public StateArena(int windows)
    {
        _segments = FirstWindow + windows;
    }

    /// <summary>Bytes held by the array, object header included.</summary>
    public readonly int AllocatedBytes => _data is null ? 0 : 24 + ((_data.Length + 7) & ~7);

    private readonly int HeaderBytes => _segments * 8;

    /// <summary>
    /// Asks the processor to start loading the array's used part into the cache; reads nothing
    /// but this struct. A hint: no effect on any result, nothing on processors without SSE.
    /// </summary>
    public readonly unsafe void Prefetch()
    {
        var data = _data;
        if (data is null || !Sse.IsSupported) return;

        // The address may be stale by the time the processor uses it if a garbage collection moves
        // the array: a prefetch of the wrong line is harmless, so the array is not pinned.
        var start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(data));
        for (var offset = 0; offset < _used; offset += CacheLineBytes) Sse.Prefetch0(start + offset);
    }

    public readonly int Count(int segment) => _data is null ? 0 : Unsafe.As<byte, int>(ref _data[segment * 8]);

    /// <summary>The known-set entries of <paramref name="segment"/> (one of the first three).</summary>
    public readonly Span<KnownEntry> Known(int segment) =>
        _data is null ? default : MemoryMarshal.Cast<byte, KnownEntry>(_data.AsSpan(Offset(segment), Count(segment) * EntryBytes));

    /// <summary>The buckets of window <paramref name="window"/>, ascending by index.</summary>
    public readonly Span<Bucket> Buckets(int window)
    {
        var segment = FirstWindow + window;
        return _data is null ? default : MemoryMarshal.Cast<byte, Bucket>(_data.AsSpan(Offset(segment), Count(segment) * BucketBytes));
    }

    /// <summary>Sets the element count of <paramref name="segment"/>; it must not exceed the capacity.</summary>
    public readonly void SetCount(int segment, int count) => Unsafe.As<byte, int>(ref _data![segment * 8]) = count;

    /// <summary>Makes room for one more element in <paramref name="segment"/>; spans taken before are invalid afterwards.</summary>
    public void EnsureRoom(int segment)
    {
        var capacity = Capacity(segment);
        if (Count(segment) < capacity) return;
        Resize(segment, capacity + 1);
    }

    /// <summary>
    /// Returns the unused room of <paramref name="segment"/> when eviction left more than four
    /// elements' worth empty; spans taken before are invalid afterwards.
    /// </summary>
    public void Trim(int segment)
    {
        var count = Count(segment);
        if (Capacity(segment) - count > 4) Resize(segment, count);
    }

    private readonly int Capacity(int segment)
    {
        var bytes = End(segment) - Offset(segment);
        return segment < FirstWindow ? bytes / EntryBytes : bytes / BucketBytes;
    }

    private static int ElementBytes(int segment) => segment < FirstWindow ? EntryBytes : BucketBytes;

    /// <summary>Where <paramref name="segment"/> starts: the header, or where the one before it ends.</summary>
    private readonly int Offset(int segment) => segment == 0 ? HeaderBytes : End(segment - 1);

    /// <summary>Where <paramref name="segment"/>'s room ends, as the header keeps it: one read, not a sum over the segments before.</summary>
    private readonly int End(int segment) => _data is null ? HeaderBytes : Unsafe.As<byte, int>(ref _data[(segment * 8) + 4]);

    private void Resize(int segment, int capacity)
    {
        var delta = (capacity - Capacity(segment)) * ElementBytes(segment);
        var tail = End(segment);
        var used = End(_segments - 1);
        var length = used + delta;
        var data = _data;
        if (data is null)
        {
            data = new byte[RoundUp(length + FirstAllocationRoom)];
            for (var s = 0; s < _segments; s++) Unsafe.As<byte, int>(ref data[(s * 8) + 4]) = HeaderBytes;
        }
        else if (length > data.Length || (delta < 0 && data.Length > ShrinkAbove && length < data.Length / 2))
        {
            var resized = new byte[RoundUp(length + Math.Max(128, length / 2))];
            data.AsSpan(0, tail + Math.Min(delta, 0)).CopyTo(resized);
            data.AsSpan(tail, used - tail).CopyTo(resized.AsSpan(tail + delta));
            data = resized;
        }
        else
        {
            data.AsSpan(tail, used - tail).CopyTo(data.AsSpan(tail + delta));
        }

        _data = data;
        for (var s = segment; s < _segments; s++) Unsafe.As<byte, int>(ref data[(s * 8) + 4]) += delta;
        _used = used + delta;
    }

    private static int RoundUp(int length) => (length + 7) & ~7;
}
