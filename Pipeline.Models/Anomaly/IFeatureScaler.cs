using Pipeline.Models.Internal;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// Maps a dense feature vector into [0, 1] per feature, because Half-Space Trees assume bounded
/// features (DESIGN §4). A NaN entry means "missing" and passes through as NaN so the trees can
/// route it by mass; every other value comes out clamped to [0, 1].
/// </summary>
/// <remarks>Implementations are not thread-safe; one instance belongs to one scoring stage.</remarks>
public interface IFeatureScaler
{
    /// <summary>Number of features the scaler was built for; every span passed in must have this length.</summary>
    int FeatureCount { get; }

    /// <summary>Updates the scaler's statistics with one raw vector; NaN and infinite entries are ignored.</summary>
    /// <exception cref="ArgumentException">The span length differs from <see cref="FeatureCount"/>.</exception>
    void Learn(ReadOnlySpan<double> values);

    /// <summary>Replaces each raw value in <paramref name="values"/> by its scaled value in [0, 1] (NaN stays NaN).</summary>
    /// <exception cref="ArgumentException">The span length differs from <see cref="FeatureCount"/>.</exception>
    void Transform(Span<double> values);

    /// <summary>Writes the scaler in a versioned binary format that <see cref="ReadFrom"/> restores.</summary>
    void WriteTo(Stream stream);

    /// <summary>Restores any scaler written by <see cref="WriteTo"/>, whatever its kind.</summary>
    /// <exception cref="InvalidDataException">The stream is not a scaler snapshot, is truncated or invalid.</exception>
    static IFeatureScaler ReadFrom(Stream stream)
    {
        using var r = SnapshotFormat.BeginRead(stream, FeatureScalerFormat.Magic, FeatureScalerFormat.Version, "feature scaler");
        return SnapshotFormat.Guard<IFeatureScaler>("feature scaler", () => r.ReadByte() switch
        {
            FeatureScalerFormat.FixedLimitsKind => FixedLimitsScaler.ReadPayload(r),
            FeatureScalerFormat.OnlineMinMaxKind => OnlineMinMaxScaler.ReadPayload(r),
            var k => throw new InvalidDataException($"unknown feature scaler kind {k}"),
        });
    }
}
