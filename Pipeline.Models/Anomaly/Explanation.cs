using Pipeline.Models.Anomaly.Rules;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// Why a transaction was flagged: the features that sat furthest from their reference, largest
/// first, and every rule that fired. Produced for each score above the alert threshold and
/// stored with the alert (DESIGN §4: "every alert carries its reasons").
/// </summary>
/// <param name="TopFeatures">Up to k features with a positive deviation, largest first; ties keep feature order.</param>
/// <param name="Rules">The rules that fired, in evaluation order.</param>
public sealed record Explanation(IReadOnlyList<FeatureDeviation> TopFeatures, IReadOnlyList<RuleFiring> Rules)
{
    /// <summary>
    /// Picks the <paramref name="topK"/> features with the largest <c>|scaled − reference|</c>.
    /// Features whose value or reference is NaN (missing, or never seen) and features that do not
    /// deviate at all are left out. The rule list is copied, so the caller may reuse its list.
    /// </summary>
    /// <exception cref="ArgumentException">The names, values and references differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> is negative.</exception>
    public static Explanation Create(
        IReadOnlyList<string> featureNames,
        ReadOnlySpan<double> scaledValues,
        ReadOnlySpan<double> referenceValues,
        int topK,
        IReadOnlyList<RuleFiring> firedRules)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(firedRules);
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        if (scaledValues.Length != featureNames.Count || referenceValues.Length != featureNames.Count)
        {
            throw new ArgumentException(
                $"{featureNames.Count} feature names, {scaledValues.Length} values and {referenceValues.Length} references must match",
                nameof(scaledValues));
        }

        var candidates = new List<(int Index, double Deviation)>(featureNames.Count);
        for (var i = 0; i < scaledValues.Length; i++)
        {
            var d = Math.Abs(scaledValues[i] - referenceValues[i]);
            if (d > 0.0)
            {
                candidates.Add((i, d));
            }
        }

        // Ordering by deviation, then by index, makes equal deviations come out in feature order.
        candidates.Sort(static (a, b) => b.Deviation != a.Deviation ? b.Deviation.CompareTo(a.Deviation) : a.Index.CompareTo(b.Index));
        var top = new FeatureDeviation[Math.Min(topK, candidates.Count)];
        for (var k = 0; k < top.Length; k++)
        {
            var i = candidates[k].Index;
            top[k] = new FeatureDeviation(featureNames[i], scaledValues[i], referenceValues[i], candidates[k].Deviation);
        }

        return new Explanation(top, firedRules.ToArray());
    }
}
