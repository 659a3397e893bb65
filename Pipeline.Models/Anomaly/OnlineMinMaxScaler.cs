using Pipeline.Models.Internal;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// Scales each feature by the running minimum and maximum of the values it has learned:
/// <c>(x − min) / (max − min)</c>, clamped to [0, 1], so a value beyond anything seen so far maps
/// to 0 or 1. Until a feature has seen two distinct finite values its range is undefined and
/// every value maps to 0.5, the neutral middle.
/// </summary>
/// <remarks>
/// The range only widens: one extreme outlier compresses later values towards one end. That is the
/// price of needing no configuration; prefer <see cref="FixedLimitsScaler"/> for features with
/// known bounds. O(features) per call, no allocation.
/// </remarks>
public sealed class OnlineMinMaxScaler : IFeatureScaler
{
    private const string TypeName = "online min-max scaler";
    private const double Undetermined = 0.5;
    private readonly double[] _min;
    private readonly double[] _max;

    /// <summary>Creates a scaler for <paramref name="featureCount"/> features that has seen nothing yet.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="featureCount"/> is not in [1, 65536].</exception>
    public OnlineMinMaxScaler(int featureCount)
    {
        if (featureCount < 1 || featureCount > FeatureScalerFormat.MaxFeatures)
        {
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, $"feature count must be in [1, {FeatureScalerFormat.MaxFeatures}]");
        }

        _min = new double[featureCount];
        _max = new double[featureCount];
        Array.Fill(_min, double.PositiveInfinity);
        Array.Fill(_max, double.NegativeInfinity);
    }

    /// <inheritdoc />
    public int FeatureCount => _min.Length;

    /// <summary>Smallest finite value learned for feature <paramref name="index"/>, +∞ before any.</summary>
    public double MinOf(int index) => _min[index];

    /// <summary>Largest finite value learned for feature <paramref name="index"/>, −∞ before any.</summary>
    public double MaxOf(int index) => _max[index];

    /// <inheritdoc />
    public void Learn(ReadOnlySpan<double> values)
    {
        FeatureScalerFormat.CheckLength(values.Length, _min.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var x = values[i];
            if (!double.IsFinite(x))
            {
                continue;
            }

            if (x < _min[i])
            {
                _min[i] = x;
            }

            if (x > _max[i])
            {
                _max[i] = x;
            }
        }
    }

    /// <inheritdoc />
    public void Transform(Span<double> values)
    {
        FeatureScalerFormat.CheckLength(values.Length, _min.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var x = values[i];
            if (double.IsNaN(x))
            {
                continue;
            }

            var span = _max[i] - _min[i];
            values[i] = span > 0.0 && double.IsFinite(span)
                ? Math.Clamp((x - _min[i]) / span, 0.0, 1.0)
                : Undetermined;
        }
    }

    /// <inheritdoc />
    public void WriteTo(Stream stream)
    {
        using var w = FeatureScalerFormat.BeginWrite(stream, FeatureScalerFormat.OnlineMinMaxKind, _min.Length);
        for (var i = 0; i < _min.Length; i++)
        {
            w.Write(_min[i]);
            w.Write(_max[i]);
        }
    }

    /// <summary>Restores a scaler written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The stream holds another kind of scaler, is truncated or invalid.</exception>
    public static OnlineMinMaxScaler ReadFrom(Stream stream) =>
        FeatureScalerFormat.ReadKind(stream, FeatureScalerFormat.OnlineMinMaxKind, TypeName, ReadPayload);

    internal static OnlineMinMaxScaler ReadPayload(BinaryReader r)
    {
        var scaler = new OnlineMinMaxScaler(FeatureScalerFormat.ReadFeatureCount(r, TypeName));
        for (var i = 0; i < scaler._min.Length; i++)
        {
            var min = r.ReadDouble();
            var max = r.ReadDouble();
            var unseen = double.IsPositiveInfinity(min) && double.IsNegativeInfinity(max);
            if (!unseen && !(double.IsFinite(min) && double.IsFinite(max) && min <= max))
            {
                throw new InvalidDataException($"{TypeName} snapshot has an invalid range for feature {i}: [{min}, {max}]");
            }

            scaler._min[i] = min;
            scaler._max[i] = max;
        }

        return scaler;
    }
}
