namespace Pipeline.Models.Internal;

/// <summary>
/// The logical state of a <see cref="Anomaly.HalfSpaceTrees"/> as the serializer sees it: masses
/// are River's <c>l_mass</c>/<c>r_mass</c> values, independent of the lazy window bookkeeping.
/// Either <see cref="Schema"/> and the node arrays are set (built model) or the generator state is.
/// </summary>
internal sealed class HalfSpaceTreesState
{
    /// <summary>Feature names in dense (schema) order; null while the trees are not built.</summary>
    public string[]? Schema { get; set; }

    /// <summary>Split thresholds per node, all trees concatenated in heap order.</summary>
    public double[]? Thresholds { get; set; }

    /// <summary>Split feature (schema index) per node.</summary>
    public int[]? FeatureIndices { get; set; }

    /// <summary>River's <c>l_mass</c> per node.</summary>
    public int[]? LatestMasses { get; set; }

    /// <summary>River's <c>r_mass</c> per node.</summary>
    public int[]? ReferenceMasses { get; set; }

    /// <summary>Generator words while the trees are not built.</summary>
    public uint[]? RngWords { get; set; }

    /// <summary>Generator position while the trees are not built.</summary>
    public int RngPosition { get; set; }

    /// <summary>Learns in the current window.</summary>
    public int Counter { get; set; }

    /// <summary>Learns in total.</summary>
    public long LearnCount { get; set; }

    /// <summary>Whether a window has completed.</summary>
    public bool HasReference { get; set; }
}
