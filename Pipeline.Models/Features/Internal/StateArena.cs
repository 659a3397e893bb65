using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Features.Internal;

/// <summary>
/// The variable-size part of an account's state — the known-merchant, -country and -device sets
/// and every window's buckets — as consecutive segments of one byte array behind a header of
/// (count, end offset, head) triples. One array instead of one per set and window keeps an account
/// on a few adjacent cache lines (with 100,000 accounts an event would otherwise miss the cache once
/// per array) and pays one object header instead of six.
/// <para>
/// A window drops its oldest buckets as event time moves on, nearly one per event for a busy
/// account's shortest window. Dropping only advances the segment's head past them; the live
/// buckets move back to the start of the room only when the room's end is reached and the
/// dropped prefix is a fair share of them, so each dropped bucket pays for a few bucket moves at
/// most, not for moving the whole window as a copy on every eviction would.
/// </para>
/// <para>
/// A full segment grows by a quarter (at least one element) into the spare room at the end of
/// the array, shifting the segments behind it (a few hundred bytes, already in cache); only when
/// the room is used up is the array reallocated, half again as large. The first allocation leaves
/// room for the first few dozen values and buckets: an array that grew with every event would be
/// a new object surviving into an old account at nearly every event, which is what makes garbage
/// collections expensive with 100,000 accounts in memory. A segment that eviction left more than
/// half empty gives most of its room back, and the array is reallocated smaller once more than
/// half of it is unused, so an account that was busy once does not keep its peak memory. Growth
/// and trimming leave slack on both sides, so an account whose window neither grows nor shrinks
/// does not move memory on every event.
/// </para>
/// </summary>
internal struct StateArena
{
    public const int Merchants = 0;
    public const int Countries = 1;
    public const int Devices = 2;
    public const int FirstWindow = 3;

    private const int EntryBytes = 16;
    private const int HeaderSlotBytes = 12;
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

    private readonly int HeaderBytes => _segments * HeaderSlotBytes;

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

    public readonly int Count(int segment) => _data is null ? 0 : CountField(_data, segment);

    /// <summary>The known-set entries of <paramref name="segment"/> (one of the first three).</summary>
    public readonly Span<KnownEntry> Known(int segment) =>
        _data is null ? default : MemoryMarshal.Cast<byte, KnownEntry>(_data.AsSpan(Start(segment), Count(segment) * EntryBytes));

    /// <summary>The buckets of window <paramref name="window"/>, ascending by index.</summary>
    public readonly Span<Bucket> Buckets(int window)
    {
        var segment = FirstWindow + window;
        return _data is null ? default : MemoryMarshal.Cast<byte, Bucket>(_data.AsSpan(Start(segment), Count(segment) * BucketBytes));
    }

    /// <summary>Sets the element count of <paramref name="segment"/>; it must not exceed the room behind the head.</summary>
    public readonly void SetCount(int segment, int count) => CountField(_data!, segment) = count;

    /// <summary>
    /// Removes the first <paramref name="elements"/> elements of <paramref name="segment"/> without
    /// moving the others; spans taken before are invalid afterwards.
    /// </summary>
    public readonly void DropFirst(int segment, int elements)
    {
        var data = _data!;
        var count = CountField(data, segment) - elements;
        CountField(data, segment) = count;

        // An emptied segment starts again at the beginning of its room: nothing to move.
        HeadField(data, segment) = count == 0 ? 0 : HeadField(data, segment) + elements;
    }

    /// <summary>Makes room for one more element at the end of <paramref name="segment"/>; spans taken before are invalid afterwards.</summary>
    public void EnsureRoom(int segment)
    {
        var capacity = Capacity(segment);
        if (_data is not null)
        {
            var count = CountField(_data, segment);
            var head = HeadField(_data, segment);
            if (head + count < capacity) return;

            // Moving the live elements back over the dropped ones costs at most four moves per
            // dropped element; with fewer dropped, the segment grows instead (and moves them then).
            if (head > 0 && head * 4 >= count)
            {
                Compact(_data, segment, count, head);
                return;
            }
        }

        Resize(segment, capacity + Math.Max(1, capacity / 4));
    }

    /// <summary>
    /// Gives back most of the room of <paramref name="segment"/> when eviction left it more than half
    /// empty (and more than four elements' worth), keeping a quarter as slack; spans taken before
    /// are invalid afterwards.
    /// </summary>
    public void Trim(int segment)
    {
        var count = Count(segment);
        if (Capacity(segment) - count > 4 + (count / 2)) Resize(segment, count + 1 + (count / 4));
    }

    private readonly int Capacity(int segment)
    {
        var bytes = End(segment) - Offset(segment);
        return segment < FirstWindow ? bytes / EntryBytes : bytes / BucketBytes;
    }

    private static int ElementBytes(int segment) => segment < FirstWindow ? EntryBytes : BucketBytes;

    /// <summary>Where <paramref name="segment"/>'s room starts: the header, or where the one before it ends.</summary>
    private readonly int Offset(int segment) => segment == 0 ? HeaderBytes : End(segment - 1);

    /// <summary>Where <paramref name="segment"/>'s first live element is: its room's start plus the dropped elements.</summary>
    private readonly int Start(int segment) => Offset(segment) + (HeadField(_data!, segment) * ElementBytes(segment));

    /// <summary>Where <paramref name="segment"/>'s room ends, as the header keeps it: one read, not a sum over the segments before.</summary>
    private readonly int End(int segment) => _data is null ? HeaderBytes : EndField(_data, segment);

    private static ref int CountField(byte[] data, int segment) => ref Unsafe.As<byte, int>(ref data[segment * HeaderSlotBytes]);

    private static ref int EndField(byte[] data, int segment) => ref Unsafe.As<byte, int>(ref data[(segment * HeaderSlotBytes) + 4]);

    private static ref int HeadField(byte[] data, int segment) => ref Unsafe.As<byte, int>(ref data[(segment * HeaderSlotBytes) + 8]);

    /// <summary>Moves the live elements of <paramref name="segment"/> to the start of its room.</summary>
    private readonly void Compact(byte[] data, int segment, int count, int head)
    {
        var size = ElementBytes(segment);
        var offset = Offset(segment);
        data.AsSpan(offset + (head * size), count * size).CopyTo(data.AsSpan(offset));
        HeadField(data, segment) = 0;
    }

    private void Resize(int segment, int capacity)
    {
        var data = _data;
        if (data is not null && HeadField(data, segment) is var head and > 0) Compact(data, segment, CountField(data, segment), head);

        var delta = (capacity - Capacity(segment)) * ElementBytes(segment);
        var tail = End(segment);
        var used = End(_segments - 1);
        var length = used + delta;
        if (data is null)
        {
            data = new byte[RoundUp(length + FirstAllocationRoom)];
            for (var s = 0; s < _segments; s++) EndField(data, s) = HeaderBytes;
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
        for (var s = segment; s < _segments; s++) EndField(data, s) += delta;
        _used = used + delta;
    }

    private static int RoundUp(int length) => (length + 7) & ~7;
}
