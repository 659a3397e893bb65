using Pipeline.Models.Anomaly.Rules;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// Blends three anomaly signals into one score in [0, 1], higher meaning more anomalous: the
/// Half-Space Trees score, a rule score, and a statistical score from the amount's z-score.
/// </summary>
/// <remarks>
/// <para>
/// <b>Rule score</b>: the noisy-OR <c>1 − Π(1 − wᵢ)</c> over the weights of the rules that fired.
/// A single rule contributes exactly its weight; each further independent rule raises the score
/// but it never exceeds 1, and the order of rules does not matter. A plain maximum was rejected
/// because it ignores corroboration: a new country plus a new device plus a burst of velocity is
/// stronger evidence than any one of them, and analysts expect the score to say so.
/// </para>
/// <para>
/// <b>Statistical score</b>: <c>|z| / (|z| + h)</c> with <c>h</c> =
/// <see cref="EnsembleOptions.ZScoreHalfPoint"/>: monotonic, 0 at the mean, 0.5 at <c>h</c>
/// standard deviations, bounded by 1 without a hard cap that would make all large deviations equal.
/// </para>
/// <para>
/// <b>Blend</b>: the weighted mean of the components that are present. A NaN component (no HST
/// window completed yet, no z-score for a young account) is left out and the remaining weights are
/// renormalised, so missing information neither raises nor lowers the score. With every present
/// component weighted 0 the score is 0. O(number of fired rules), no allocation. Thread-safe.
/// </para>
/// </remarks>
public sealed class EnsembleScorer
{
    private readonly EnsembleOptions _options;

    /// <summary>Creates a scorer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public EnsembleScorer(EnsembleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The options this scorer blends with.</summary>
    public EnsembleOptions Options => _options;

    /// <summary>Noisy-OR of the weights of <paramref name="firings"/>: 0 when none fired, at most 1.</summary>
    public static double RuleScore(IReadOnlyList<RuleFiring> firings)
    {
        ArgumentNullException.ThrowIfNull(firings);
        var none = 1.0;
        for (var i = 0; i < firings.Count; i++)
        {
            none *= 1.0 - Math.Clamp(firings[i].Weight, 0.0, 1.0);
        }

        return 1.0 - none;
    }

    /// <summary>Squashed |z|: 0 at z = 0, 0.5 at the half point, below 1; NaN stays NaN (missing).</summary>
    public double StatisticalScore(double zScore)
    {
        if (double.IsNaN(zScore))
        {
            return double.NaN;
        }

        var a = Math.Abs(zScore);
        return double.IsPositiveInfinity(a) ? 1.0 : a / (a + _options.ZScoreHalfPoint);
    }

    /// <summary>Blends the components; see the class remarks for the formula.</summary>
    /// <param name="hstScore">Half-Space Trees score in [0, 1], or NaN when unavailable.</param>
    /// <param name="firings">Rules that fired for this transaction (may be empty).</param>
    /// <param name="zScore">Amount z-score against the account history, or NaN when unavailable.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hstScore"/> is outside [0, 1].</exception>
    public EnsembleScore Score(double hstScore, IReadOnlyList<RuleFiring> firings, double zScore)
    {
        if (!double.IsNaN(hstScore) && !(hstScore >= 0.0 && hstScore <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(hstScore), hstScore, "the HST score must lie in [0, 1]");
        }

        var rules = RuleScore(firings);
        var statistical = StatisticalScore(zScore);

        var weighted = _options.RuleWeight * rules;
        var weights = _options.RuleWeight;
        if (!double.IsNaN(hstScore))
        {
            weighted += _options.HstWeight * hstScore;
            weights += _options.HstWeight;
        }

        if (!double.IsNaN(statistical))
        {
            weighted += _options.StatisticalWeight * statistical;
            weights += _options.StatisticalWeight;
        }

        var total = weights > 0.0 ? Math.Clamp(weighted / weights, 0.0, 1.0) : 0.0;
        return new EnsembleScore(total, hstScore, rules, statistical);
    }
}
