using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Models.Internal;

/// <summary>
/// One node of a Half-Space Tree in 16 bytes (four per cache line), so a root-to-leaf walk
/// touches one line per node and deep ensembles stay mostly cache-resident. Nodes of a tree are
/// stored as a complete binary tree in heap order (children of <c>i</c> at <c>2i+1</c> and
/// <c>2i+2</c>). The 16-bit fields bound the window size and the feature count to 65,535.
/// </summary>
/// <remarks>
/// River copies every node's latest mass into its reference mass and zeroes the latest mass at
/// the end of each window. Doing that eagerly costs O(all nodes) per window, which dominates for
/// deep trees (25 × 65,535 nodes every 250 learns). Instead each node remembers the window
/// <see cref="Epoch"/> (mod 2^16) in which <see cref="Latest"/> was last incremented; the logical
/// masses follow from the node's age relative to the model's current window, and a window pivot
/// is O(1). The model rewrites every node to age 0 at least every <see cref="RebaseInterval"/>
/// windows, so ages never wrap.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
internal struct HstNode
{
    /// <summary>Windows after which every node is rebased; far below 2^16 so ages stay unambiguous.</summary>
    public const int RebaseInterval = 1 << 15;

    /// <summary>Split value; a value goes left iff <c>value &lt; Threshold</c>. Unused in leaves.</summary>
    public double Threshold;

    /// <summary>Index of the split feature in the model's dense schema order. Unused in leaves.</summary>
    public ushort Feature;

    /// <summary>Window number (mod 2^16) in which <see cref="Latest"/> was last written.</summary>
    public ushort Epoch;

    /// <summary>Mass counted during window <see cref="Epoch"/>.</summary>
    public ushort Latest;

    /// <summary>Mass of the window before <see cref="Epoch"/> (the reference while <see cref="Epoch"/> is current).</summary>
    public ushort Previous;

    // The accessors below are branch-free (flags become 0/1 through setcc, then masks): whether a
    // node was already visited in the current window is close to a coin flip below the top levels,
    // and the JIT does not turn branches inside loops into conditional moves.

    /// <summary>River's <c>l_mass</c> during window <paramref name="current"/> (mod 2^16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int LatestMass(ushort current) => Latest & -(Epoch == current ? 1 : 0);

    /// <summary>River's <c>r_mass</c> during window <paramref name="current"/> (mod 2^16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int ReferenceMass(ushort current)
    {
        var age = (ushort)(current - Epoch);
        return (Previous & -(age == 0 ? 1 : 0)) | (Latest & -(age == 1 ? 1 : 0));
    }

    /// <summary>River's <c>l_mass += 1</c> during window <paramref name="current"/> (mod 2^16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment(ushort current)
    {
        var age = (ushort)(current - Epoch);
        var sameWindow = -(age == 0 ? 1 : 0);
        int latest = Latest;
        Previous = (ushort)((Previous & sameWindow) | (latest & -(age == 1 ? 1 : 0)));
        Latest = (ushort)((latest & sameWindow) + 1);
        Epoch = current;
    }

    /// <summary>Rewrites the node to age 0 in window <paramref name="current"/> without changing its logical masses.</summary>
    public void Rebase(ushort current)
    {
        var latest = LatestMass(current);
        var reference = ReferenceMass(current);
        Latest = (ushort)latest;
        Previous = (ushort)reference;
        Epoch = current;
    }
}
