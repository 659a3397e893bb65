using System.Globalization;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// Parameters of a <see cref="HalfSpaceTrees"/> ensemble. Defaults are River's
/// (<c>n_trees=10, height=8, window_size=250</c>). Immutable; call <see cref="Validate"/> (the
/// model's constructor does) to get an <see cref="ArgumentException"/> that names the parameter,
/// the value and the allowed range.
/// </summary>
public sealed record HalfSpaceTreesOptions
{
    /// <summary>Largest accepted <see cref="Trees"/>.</summary>
    public const int MaxTrees = 1000;

    /// <summary>Largest accepted <see cref="Height"/>; a tree has 2^(height+1) − 1 nodes.</summary>
    public const int MaxHeight = 20;

    /// <summary>Largest accepted <see cref="WindowSize"/>: masses are stored in 16 bits.</summary>
    public const int MaxWindowSize = ushort.MaxValue;

    /// <summary>Largest accepted feature count: split features are stored in 16 bits.</summary>
    public const int MaxFeatures = ushort.MaxValue;

    /// <summary>
    /// Largest accepted node count over all trees (<c>trees · (2^(height+1) − 1)</c>), 512 MiB of
    /// nodes. With <see cref="MaxWindowSize"/> it keeps River's integer <c>max_score</c> below 2^53,
    /// so every score sum is an exact double.
    /// </summary>
    public const long MaxTotalNodes = 1L << 25;

    /// <summary>Number of trees (River <c>n_trees</c>), 1–1000, default 10. More trees lower the variance of the score at a linear cost.</summary>
    public int Trees { get; init; } = 10;

    /// <summary>Levels of split nodes per tree (River <c>height</c>), 1–20, default 8. Deeper trees resolve finer regions; cost per call is linear in height, memory exponential.</summary>
    public int Height { get; init; } = 8;

    /// <summary>Learns per mass window (River <c>window_size</c>), 1–65,535, default 250. The reference profile is the last completed window, so scoring starts after this many learns.</summary>
    public int WindowSize { get; init; } = 250;

    /// <summary>Seed of the tree-building generator (Python <c>random.Random(seed)</c>); null draws a seed from a cryptographic source, so trees differ per run.</summary>
    public long? Seed { get; init; }

    /// <summary>Per-feature (lo, hi) ranges used to place thresholds; a feature not listed uses (0, 1). Each range must be finite with hi &gt; lo.</summary>
    public IReadOnlyDictionary<string, FeatureLimits>? Limits { get; init; }

    /// <summary>
    /// Fixes the feature schema: the dense API takes vectors in exactly this order, and trees are
    /// built over these names (sorted, as River sorts the keys of the first sample) instead of the
    /// keys of the first learned dictionary. Names must be distinct and non-empty. Null means the
    /// schema is taken from the first <c>LearnOne</c> dictionary and only the dictionary API is usable.
    /// </summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Node count of one tree: 2^(height+1) − 1.</summary>
    internal long NodesPerTree => (1L << (Height + 1)) - 1;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid parameter, its value and the allowed range.</summary>
    public void Validate()
    {
        Range(nameof(Trees), Trees, 1, MaxTrees);
        Range(nameof(Height), Height, 1, MaxHeight);
        Range(nameof(WindowSize), WindowSize, 1, MaxWindowSize);

        var totalNodes = Trees * NodesPerTree;
        if (totalNodes > MaxTotalNodes)
        {
            throw new ArgumentException(
                $"Trees × (2^(Height+1) − 1) = {totalNodes} nodes (Trees={Trees}, Height={Height}) exceeds the allowed maximum of {MaxTotalNodes}",
                nameof(Height));
        }

        if (Limits is not null)
        {
            foreach (var (name, limits) in Limits)
            {
                ValidateLimits(name, limits);
            }
        }

        if (Features is not null)
        {
            ValidateFeatures(Features);
        }
    }

    /// <summary>Limits of <paramref name="feature"/>, or River's default (0, 1).</summary>
    internal FeatureLimits LimitsOf(string feature) =>
        Limits is not null && Limits.TryGetValue(feature, out var l) ? l : FeatureLimits.Unit;

    private void ValidateFeatures(IReadOnlyList<string> features)
    {
        if (features.Count == 0)
        {
            throw new ArgumentException("Features must name at least one feature, got an empty list", nameof(Features));
        }

        if (features.Count > MaxFeatures)
        {
            throw new ArgumentException($"Features may name at most {MaxFeatures} features, got {features.Count}", nameof(Features));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var totalWidth = 0.0;
        for (var i = 0; i < features.Count; i++)
        {
            var name = features[i];
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException($"Features[{i}] must be a non-empty name", nameof(Features));
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"Features must be distinct, but '{name}' appears more than once", nameof(Features));
            }

            var l = LimitsOf(name);
            totalWidth += l.Hi - l.Lo;
        }

        if (!double.IsFinite(totalWidth))
        {
            throw new ArgumentException(
                $"the widths (Hi − Lo) of the feature limits must add up to a finite number, got {totalWidth.ToString(CultureInfo.InvariantCulture)}",
                nameof(Limits));
        }

        if (Limits is not null)
        {
            foreach (var name in Limits.Keys)
            {
                if (!seen.Contains(name))
                {
                    throw new ArgumentException($"Limits names feature '{name}', which is not in Features", nameof(Limits));
                }
            }
        }
    }

    private static void ValidateLimits(string name, FeatureLimits limits)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("Limits must not contain an empty feature name", nameof(Limits));
        }

        var width = limits.Hi - limits.Lo;
        if (!double.IsFinite(limits.Lo) || !double.IsFinite(limits.Hi) || !(width > 0) || !double.IsFinite(width))
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Limits['{name}'] = ({limits.Lo}, {limits.Hi}) is invalid: Lo and Hi must be finite with Lo < Hi and a finite width"),
                nameof(Limits));
        }
    }

    private static void Range(string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{min}, {max}], got {value}");
        }
    }
}
