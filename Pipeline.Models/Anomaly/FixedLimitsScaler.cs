using Pipeline.Models.Internal;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// Scales each feature linearly from configured limits: <c>(x − lo) / (hi − lo)</c>, clamped to
/// [0, 1]. Use it when the feature ranges are known up front (hour of day, flags, capped amounts);
/// it never learns, so a score means the same thing on day one and day one hundred.
/// </summary>
public sealed class FixedLimitsScaler : IFeatureScaler
{
    private const string TypeName = "fixed-limits scaler";
    private readonly double[] _lows;
    private readonly double[] _spans;

    /// <summary>Creates the scaler from one finite <c>(Lo, Hi)</c> pair per feature with <c>Lo &lt; Hi</c>.</summary>
    /// <exception cref="ArgumentException">No limits, or a pair is not finite or not ascending (the message names its index).</exception>
    public FixedLimitsScaler(IReadOnlyList<(double Lo, double Hi)> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.Count == 0 || limits.Count > FeatureScalerFormat.MaxFeatures)
        {
            throw new ArgumentException($"between 1 and {FeatureScalerFormat.MaxFeatures} feature limits are required, got {limits.Count}", nameof(limits));
        }

        _lows = new double[limits.Count];
        _spans = new double[limits.Count];
        for (var i = 0; i < limits.Count; i++)
        {
            var (lo, hi) = limits[i];
            if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(lo < hi) || !double.IsFinite(hi - lo))
            {
                throw new ArgumentException($"limits of feature {i} must be finite with lo < hi, got ({lo}, {hi})", nameof(limits));
            }

            _lows[i] = lo;
            _spans[i] = hi - lo;
        }
    }

    /// <inheritdoc />
    public int FeatureCount => _lows.Length;

    /// <summary>The configured <c>(Lo, Hi)</c> of feature <paramref name="index"/>.</summary>
    public (double Lo, double Hi) LimitsOf(int index) => (_lows[index], _lows[index] + _spans[index]);

    /// <summary>Does nothing: the limits are fixed. Only the length is checked.</summary>
    public void Learn(ReadOnlySpan<double> values) => FeatureScalerFormat.CheckLength(values.Length, _lows.Length);

    /// <inheritdoc />
    public void Transform(Span<double> values)
    {
        FeatureScalerFormat.CheckLength(values.Length, _lows.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var x = values[i];
            if (double.IsNaN(x))
            {
                continue;
            }

            values[i] = Math.Clamp((x - _lows[i]) / _spans[i], 0.0, 1.0);
        }
    }

    /// <inheritdoc />
    public void WriteTo(Stream stream)
    {
        using var w = FeatureScalerFormat.BeginWrite(stream, FeatureScalerFormat.FixedLimitsKind, _lows.Length);
        for (var i = 0; i < _lows.Length; i++)
        {
            var (lo, hi) = LimitsOf(i);
            w.Write(lo);
            w.Write(hi);
        }
    }

    /// <summary>Restores a scaler written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The stream holds another kind of scaler, is truncated or invalid.</exception>
    public static FixedLimitsScaler ReadFrom(Stream stream) =>
        FeatureScalerFormat.ReadKind(stream, FeatureScalerFormat.FixedLimitsKind, TypeName, ReadPayload);

    internal static FixedLimitsScaler ReadPayload(BinaryReader r)
    {
        var n = FeatureScalerFormat.ReadFeatureCount(r, TypeName);
        var limits = new (double, double)[n];
        for (var i = 0; i < n; i++)
        {
            limits[i] = (r.ReadDouble(), r.ReadDouble());
        }

        try
        {
            return new FixedLimitsScaler(limits);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{TypeName} snapshot is invalid: {e.Message}", e);
        }
    }
}
