namespace Pipeline.Models.Anomaly;

/// <summary>Weights and shape of <see cref="EnsembleScorer"/>; defaults live in <c>pipeline.scoring.ensemble</c>.</summary>
public sealed record EnsembleOptions
{
    /// <summary>Weight of the Half-Space Trees score, at least 0.</summary>
    public required double HstWeight { get; init; }

    /// <summary>Weight of the rule score, at least 0.</summary>
    public required double RuleWeight { get; init; }

    /// <summary>Weight of the statistical (amount z-score) score, at least 0.</summary>
    public required double StatisticalWeight { get; init; }

    /// <summary>
    /// The |z-score| that maps to a statistical score of 0.5, positive. The squashing
    /// <c>|z| / (|z| + h)</c> is 0 at z = 0, 0.5 at |z| = h and tends to 1.
    /// </summary>
    public required double ZScoreHalfPoint { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Check(HstWeight, nameof(HstWeight));
        Check(RuleWeight, nameof(RuleWeight));
        Check(StatisticalWeight, nameof(StatisticalWeight));
        if (!(HstWeight + RuleWeight + StatisticalWeight > 0.0))
        {
            throw new ArgumentOutOfRangeException(nameof(HstWeight), HstWeight, "at least one ensemble weight must be positive");
        }

        if (!(ZScoreHalfPoint > 0.0) || !double.IsFinite(ZScoreHalfPoint))
        {
            throw new ArgumentOutOfRangeException(nameof(ZScoreHalfPoint), ZScoreHalfPoint, "z-score half point must be a positive finite number");
        }
    }

    private static void Check(double weight, string name)
    {
        if (!(weight >= 0.0) || !double.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(name, weight, "ensemble weights must be finite and at least 0");
        }
    }
}
