using System.Runtime.InteropServices;

namespace Pipeline.Models.Internal;

/// <summary>
/// One node of a Half-Space Tree, laid out so a root-to-leaf walk touches one cache line per
/// node (32 bytes: the split and both masses together). Nodes of a tree are stored as a complete
/// binary tree in heap order (children of <c>i</c> at <c>2i+1</c> and <c>2i+2</c>).
/// </summary>
/// <remarks>
/// River copies every node's latest mass into its reference mass and zeroes the latest mass at
/// the end of each window. Doing that eagerly costs O(all nodes) per window, which dominates for
/// deep trees (25 × 65,535 nodes every 250 learns). Instead each node remembers the window
/// <see cref="Window"/> in which <see cref="Latest"/> was last incremented; the logical masses
/// follow from comparing it with the model's current window number (see
/// <see cref="LatestMass"/> and <see cref="ReferenceMass"/>), and a window pivot is O(1).
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
internal struct HstNode
{
    /// <summary>Split value; a value goes left iff <c>value &lt; Threshold</c>. Unused in leaves.</summary>
    public double Threshold;

    /// <summary>Window number in which <see cref="Latest"/> was last written.</summary>
    public long Window;

    /// <summary>Index of the split feature in the model's dense schema order. Unused in leaves.</summary>
    public int Feature;

    /// <summary>Mass counted during window <see cref="Window"/>.</summary>
    public int Latest;

    /// <summary>Mass of the window before <see cref="Window"/> (the reference while <see cref="Window"/> is current).</summary>
    public int Previous;

    /// <summary>River's <c>l_mass</c> as of window <paramref name="current"/>.</summary>
    public readonly int LatestMass(long current) => Window == current ? Latest : 0;

    /// <summary>River's <c>r_mass</c> as of window <paramref name="current"/>.</summary>
    public readonly int ReferenceMass(long current) =>
        Window == current ? Previous : Window == current - 1 ? Latest : 0;

    /// <summary>River's <c>l_mass += 1</c> during window <paramref name="current"/>.</summary>
    public void Increment(long current)
    {
        if (Window == current)
        {
            Latest++;
        }
        else
        {
            Previous = Window == current - 1 ? Latest : 0;
            Latest = 1;
            Window = current;
        }
    }
}
