using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Graph.Windows.Internal;

/// <summary>
/// Software prefetch of managed objects: asks the processor to start loading an object's first
/// cache lines without waiting for them. Hints only, never a change in behaviour; nothing on
/// processors without SSE.
/// </summary>
internal static class CachePrefetch
{
    private const int CacheLineBytes = 64;

    /// <summary>Prefetches the <paramref name="lines"/> cache lines from the start of <paramref name="value"/>.</summary>
    public static unsafe void Object(object? value, int lines)
    {
        if (value is null || !Sse.IsSupported) return;

        // The reference read as an address: if a garbage collection moves the object before the
        // processor acts on it, a wrong line is fetched, which is harmless, so nothing is pinned.
        var start = *(byte**)Unsafe.AsPointer(ref value);
        for (var i = 0; i < lines; i++) Sse.Prefetch0(start + (i * CacheLineBytes));
    }

    /// <summary>Prefetches the cache line holding <paramref name="location"/>.</summary>
    public static unsafe void At<T>(ref T location)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref location));
    }
}
