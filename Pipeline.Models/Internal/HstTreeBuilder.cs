using Pipeline.Models.Anomaly;

namespace Pipeline.Models.Internal;

/// <summary>
/// Builds the random trees of a <see cref="HalfSpaceTrees"/> ensemble, consuming the generator
/// exactly as River's <c>make_padded_tree</c> does (spec §3, "Tree construction"): trees one after
/// another, each in pre-order; per split node one weighted feature choice over the sorted names
/// (weights = current widths of the limits), then one uniform threshold inside the padded range.
/// </summary>
internal static class HstTreeBuilder
{
    /// <summary>Fraction of a feature's current range kept clear of thresholds at either end (River's <c>padding</c>).</summary>
    public const double Padding = 0.15;

    /// <summary>
    /// Builds all trees over <paramref name="schema"/> (names in dense order). Nodes store the
    /// dense index of their feature. Draws from a copy of <paramref name="rng"/> so a failed build
    /// leaves the caller's generator untouched; on success the caller discards the generator.
    /// </summary>
    /// <returns>The nodes of all trees (heap order, tree after tree) and the names in sorted order.</returns>
    /// <exception cref="InvalidOperationException">The limits add up to infinity or collapse to zero width.</exception>
    public static (HstNode[] Nodes, string[] Sorted) Build(string[] schema, HalfSpaceTreesOptions options, PythonRandom rng)
    {
        var count = schema.Length;

        // River draws feature choices over the sorted names.
        var sortedToSchema = new int[count];
        for (var i = 0; i < count; i++) sortedToSchema[i] = i;
        var sorted = (string[])schema.Clone();
        Array.Sort(sorted, sortedToSchema, CodePointComparer.Instance);

        var lo = new double[count];
        var hi = new double[count];
        var total = 0.0;
        for (var j = 0; j < count; j++)
        {
            var limits = options.LimitsOf(sorted[j]);
            lo[j] = limits.Lo;
            hi[j] = limits.Hi;
            total += limits.Hi - limits.Lo;
        }

        if (!double.IsFinite(total))
        {
            throw new InvalidOperationException("the widths of the feature limits add up to infinity; the trees cannot be built");
        }

        var words = new uint[PythonRandom.StateWords];
        var position = rng.SaveState(words);
        var nodesPerTree = (int)options.NodesPerTree;
        var nodes = new HstNode[options.Trees * nodesPerTree];
        var builder = new Builder(nodes, PythonRandom.FromState(words, position), lo, hi, new double[count], sortedToSchema);
        try
        {
            for (var t = 0; t < options.Trees; t++)
            {
                builder.BuildNode(t * nodesPerTree, 0, options.Height);
            }
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(
                "the trees cannot be built: the feature limits are too narrow for this height (every remaining range has zero width)", e);
        }

        return (nodes, sorted);
    }

    private readonly struct Builder(HstNode[] nodes, PythonRandom rng, double[] lo, double[] hi, double[] cumulative, int[] sortedToSchema)
    {
        public void BuildNode(int treeBase, int local, int levels)
        {
            if (levels == 0)
            {
                return;
            }

            // Python's choices(weights=...) accumulates the weights left to right.
            var sum = 0.0;
            for (var j = 0; j < cumulative.Length; j++)
            {
                sum += hi[j] - lo[j];
                cumulative[j] = sum;
            }

            var f = rng.ChooseIndexCumulative(cumulative);
            var a = lo[f];
            var b = hi[f];
            var threshold = rng.Uniform(a + Padding * (b - a), b - Padding * (b - a));
            ref var node = ref nodes[treeBase + local];
            node.Feature = (ushort)sortedToSchema[f];
            node.Threshold = threshold;

            hi[f] = threshold;
            BuildNode(treeBase, 2 * local + 1, levels - 1);
            hi[f] = b;

            lo[f] = threshold;
            BuildNode(treeBase, 2 * local + 2, levels - 1);
            lo[f] = a;
        }
    }
}
