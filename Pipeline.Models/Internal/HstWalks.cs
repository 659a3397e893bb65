using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Internal;

/// <summary>
/// The hot loops of Half-Space Trees over the flat node array (trees of <c>stride</c> nodes,
/// heap order). Both walk all trees level by level rather than one tree after another: the node
/// loads of different trees are independent, so deep levels (cache misses in large ensembles)
/// overlap instead of forming one chain of dependent misses, and each child is prefetched a whole
/// level before it is needed. Callers guarantee <c>x.Length</c> equals the schema length.
/// </summary>
internal static class HstWalks
{
    /// <summary>River's <c>learn_one</c> walk: adds 1 to <c>l_mass</c> of every node on each tree's path.</summary>
    public static void Learn(HstNode[] nodes, int trees, int stride, int height, ushort window, ReadOnlySpan<double> x)
    {
        if (HasMissing(x))
        {
            Learn<Incomplete>(nodes, trees, stride, height, window, x);
        }
        else
        {
            Learn<Complete>(nodes, trees, stride, height, window, x);
        }
    }

    /// <summary>River's score sum <c>S = Σ r_mass · 2^depth</c>, each tree stopping after the first node below <paramref name="sizeLimit"/>.</summary>
    public static long Score(HstNode[] nodes, int trees, int stride, int height, ushort window, int sizeLimit, ReadOnlySpan<double> x) =>
        HasMissing(x)
            ? Score<Incomplete>(nodes, trees, stride, height, window, sizeLimit, x)
            : Score<Complete>(nodes, trees, stride, height, window, sizeLimit, x);

    /// <summary>
    /// <see cref="Score"/> then <see cref="Learn"/> in one descent per tree: the same sum and the same
    /// masses afterwards, bit for bit. A node's reference mass is read before its increment (an
    /// increment never changes the reference mass of the current window anyway), and the child is
    /// chosen from the split and the children's masses, which this level's increments do not touch.
    /// </summary>
    public static long ScoreThenLearn(HstNode[] nodes, int trees, int stride, int height, ushort window, int sizeLimit, ReadOnlySpan<double> x) =>
        HasMissing(x)
            ? ScoreThenLearn<Incomplete>(nodes, trees, stride, height, window, sizeLimit, x)
            : ScoreThenLearn<Complete>(nodes, trees, stride, height, window, sizeLimit, x);

    private static bool HasMissing(ReadOnlySpan<double> x)
    {
        foreach (var v in x)
        {
            if (double.IsNaN(v)) return true;
        }

        return false;
    }

    private static void Learn<TInput>(HstNode[] nodes, int trees, int stride, int height, ushort window, ReadOnlySpan<double> x)
        where TInput : struct, IInputKind
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(nodes);
        Span<int> position = stackalloc int[trees];
        position.Clear();
        for (var d = 0; d < height; d++)
        {
            ref var root = ref first;
            for (var t = 0; t < trees; t++)
            {
                ref var node = ref Unsafe.Add(ref root, position[t]);
                node.Increment(window);
                var child = Child<TInput>(ref root, ref node, position[t], x, window);
                position[t] = child;
                Prefetch(ref Unsafe.Add(ref root, child));
                root = ref Unsafe.Add(ref root, stride);
            }
        }

        ref var treeRoot = ref first;
        for (var t = 0; t < trees; t++)
        {
            Unsafe.Add(ref treeRoot, position[t]).Increment(window);
            treeRoot = ref Unsafe.Add(ref treeRoot, stride);
        }
    }

    private static long Score<TInput>(HstNode[] nodes, int trees, int stride, int height, ushort window, int sizeLimit, ReadOnlySpan<double> x)
        where TInput : struct, IInputKind
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(nodes);

        // Trees still descending are kept in `active`; survivors are compacted without branching,
        // so the only unpredictable exit is the end of a level.
        Span<int> active = stackalloc int[trees];
        Span<int> position = stackalloc int[trees];
        for (var t = 0; t < trees; t++) active[t] = t;
        position.Clear();
        var count = trees;
        long sum = 0;
        for (var d = 0; d < height && count > 0; d++)
        {
            var kept = 0;
            for (var j = 0; j < count; j++)
            {
                var t = active[j];
                ref var root = ref Unsafe.Add(ref first, t * stride);
                var i = position[t];
                ref var node = ref Unsafe.Add(ref root, i);
                var mass = node.ReferenceMass(window);
                sum += (long)mass << d;
                var child = Child<TInput>(ref root, ref node, i, x, window);
                position[t] = child;
                Prefetch(ref Unsafe.Add(ref root, child));
                active[kept] = t;
                kept += mass < sizeLimit ? 0 : 1;
            }

            count = kept;
        }

        // Trees that reached the leaves: the leaf is the last node on the path.
        for (var j = 0; j < count; j++)
        {
            var t = active[j];
            sum += (long)Unsafe.Add(ref first, t * stride + position[t]).ReferenceMass(window) << height;
        }

        return sum;
    }

    private static long ScoreThenLearn<TInput>(HstNode[] nodes, int trees, int stride, int height, ushort window, int sizeLimit, ReadOnlySpan<double> x)
        where TInput : struct, IInputKind
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(nodes);
        Span<int> position = stackalloc int[trees];
        position.Clear();

        // Learning walks every tree to its leaf; the score stops counting a tree once a node on its
        // path holds less than sizeLimit (as Score does): `scoring` is all ones while it counts, else 0.
        Span<long> scoring = stackalloc long[trees];
        scoring.Fill(-1L);
        long sum = 0;
        for (var d = 0; d < height; d++)
        {
            ref var root = ref first;
            for (var t = 0; t < trees; t++)
            {
                var i = position[t];
                ref var node = ref Unsafe.Add(ref root, i);
                var mass = node.ReferenceMass(window);
                sum += ((long)mass << d) & scoring[t];
                scoring[t] &= mass < sizeLimit ? 0L : -1L;
                node.Increment(window);
                var child = Child<TInput>(ref root, ref node, i, x, window);
                position[t] = child;
                Prefetch(ref Unsafe.Add(ref root, child));
                root = ref Unsafe.Add(ref root, stride);
            }
        }

        ref var treeRoot = ref first;
        for (var t = 0; t < trees; t++)
        {
            ref var leaf = ref Unsafe.Add(ref treeRoot, position[t]);
            sum += ((long)leaf.ReferenceMass(window) << height) & scoring[t];
            leaf.Increment(window);
            treeRoot = ref Unsafe.Add(ref treeRoot, stride);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Child<TInput>(ref HstNode root, ref HstNode node, int i, ReadOnlySpan<double> x, ushort window)
        where TInput : struct, IInputKind
    {
        // Feature indices are below the schema length, which every caller checked x against.
        var value = Unsafe.Add(ref MemoryMarshal.GetReference(x), node.Feature);
        var left = 2 * i + 1;
        if (TInput.MayHaveMissing && double.IsNaN(value))
        {
            // Missing: follow the busier child of the current window, ties left (River's HSTBranch.next).
            return Unsafe.Add(ref root, left).LatestMass(window) < Unsafe.Add(ref root, left + 1).LatestMass(window)
                ? left + 1
                : left;
        }

        // Left iff value < threshold; computed without a branch because the outcome is a coin flip.
        return left + (value < node.Threshold ? 0 : 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(ref HstNode node)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref node));
        }
    }

    /// <summary>
    /// Compile-time switch: the JIT specialises the walks per struct type, so vectors without
    /// missing values (the common case) run without the missing-value check per node.
    /// </summary>
    private interface IInputKind
    {
        static abstract bool MayHaveMissing { get; }
    }

    private readonly struct Complete : IInputKind
    {
        public static bool MayHaveMissing => false;
    }

    private readonly struct Incomplete : IInputKind
    {
        public static bool MayHaveMissing => true;
    }
}
