using Pipeline.Models.Internal;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// The reference profile explanations compare against: an exponentially weighted mean of each
/// scaled feature, <c>m ← m + α·(x − m)</c>, started at the first value seen. Recent traffic
/// dominates (the effective memory is about 1/α events), so after a drift the baseline follows
/// the new normal instead of explaining every transaction as deviating from last month.
/// NaN (missing) values are skipped. O(features) per call, no allocation. Not thread-safe.
/// </summary>
public sealed class FeatureBaseline
{
    private const string Magic = "FBAS";
    private const byte FormatVersion = 1;
    private const string TypeName = "feature baseline";

    private readonly double _alpha;
    private readonly double[] _means;

    /// <summary>Creates an empty baseline; every mean is NaN until its feature is first seen.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A feature count below 1 or above 65536, or <paramref name="alpha"/> outside (0, 1].</exception>
    public FeatureBaseline(int featureCount, double alpha)
    {
        if (featureCount < 1 || featureCount > FeatureScalerFormat.MaxFeatures)
        {
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, $"feature count must be in [1, {FeatureScalerFormat.MaxFeatures}]");
        }

        if (!(alpha > 0.0 && alpha <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "baseline alpha must be in (0, 1]");
        }

        _alpha = alpha;
        _means = new double[featureCount];
        Array.Fill(_means, double.NaN);
    }

    /// <summary>Smoothing factor α.</summary>
    public double Alpha => _alpha;

    /// <summary>Number of features.</summary>
    public int FeatureCount => _means.Length;

    /// <summary>The current means, NaN for features never seen.</summary>
    public ReadOnlySpan<double> Means => _means;

    /// <summary>Moves each mean towards the corresponding scaled value.</summary>
    /// <exception cref="ArgumentException">The span length differs from <see cref="FeatureCount"/>.</exception>
    public void Learn(ReadOnlySpan<double> scaled)
    {
        FeatureScalerFormat.CheckLength(scaled.Length, _means.Length);
        for (var i = 0; i < scaled.Length; i++)
        {
            var x = scaled[i];
            if (double.IsNaN(x))
            {
                continue;
            }

            var m = _means[i];
            _means[i] = double.IsNaN(m) ? x : m + _alpha * (x - m);
        }
    }

    /// <summary>Writes the baseline in a versioned binary format that <see cref="ReadFrom"/> restores.</summary>
    public void WriteTo(Stream stream)
    {
        using var w = SnapshotFormat.BeginWrite(stream, Magic, FormatVersion);
        w.Write(_alpha);
        w.Write(_means.Length);
        foreach (var m in _means)
        {
            w.Write(m);
        }
    }

    /// <summary>Restores a baseline written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not a baseline snapshot, is truncated or invalid.</exception>
    public static FeatureBaseline ReadFrom(Stream stream)
    {
        using var r = SnapshotFormat.BeginRead(stream, Magic, FormatVersion, TypeName);
        return SnapshotFormat.Guard(TypeName, () =>
        {
            var alpha = SnapshotFormat.ReadDouble(r, TypeName, "alpha", v => v > 0.0 && v <= 1.0);
            var n = FeatureScalerFormat.ReadFeatureCount(r, TypeName);
            var b = new FeatureBaseline(n, alpha);
            for (var i = 0; i < n; i++)
            {
                b._means[i] = SnapshotFormat.ReadDouble(r, TypeName, "mean", v => double.IsNaN(v) || double.IsFinite(v));
            }

            return b;
        });
    }
}
