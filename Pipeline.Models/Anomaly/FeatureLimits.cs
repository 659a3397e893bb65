namespace Pipeline.Models.Anomaly;

/// <summary>
/// The range a feature is expected to take, used by <see cref="HalfSpaceTrees"/> to place split
/// thresholds. Values outside the range are still accepted; they simply fall into the outermost
/// half-spaces. River's default for an unlisted feature is (0, 1).
/// </summary>
/// <param name="Lo">Lower end of the range; finite.</param>
/// <param name="Hi">Upper end of the range; finite and greater than <paramref name="Lo"/>.</param>
public readonly record struct FeatureLimits(double Lo, double Hi)
{
    /// <summary>River's limits for a feature that has none configured: (0, 1).</summary>
    public static FeatureLimits Unit { get; } = new(0.0, 1.0);
}
