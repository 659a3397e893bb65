namespace Pipeline.Models.Evaluation;

/// <summary>
/// Area under the precision–recall curve as <b>average precision</b>, the step-wise sum
/// <c>AP = Σₖ (Rₖ − Rₖ₋₁) · Pₖ</c> over the distinct score thresholds taken from the highest
/// down, where Pₖ and Rₖ are the precision and recall when every score ≥ the k-th threshold is
/// flagged. Tied scores enter together as one threshold. No interpolation between points (the
/// trapezoidal rule over-rates PR curves); this is the definition of scikit-learn's
/// <c>average_precision_score</c>. Higher scores mean "more likely positive".
/// </summary>
/// <remarks>Cost: O(n log n) time; two pooled buffers of n entries, returned before it returns.</remarks>
public static class PrAuc
{
    /// <summary>
    /// Average precision of <paramref name="scores"/> against <paramref name="labels"/> (true =
    /// positive). Returns NaN when there is no positive, as recall is then undefined.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length or a score is NaN.</exception>
    public static double Compute(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        using var sorted = RankedScores.Sort(scores, labels);
        var s = sorted.Scores;
        var l = sorted.Labels;
        var n = s.Length;

        long totalPositives = 0;
        foreach (var label in l)
        {
            if (label) totalPositives++;
        }

        if (totalPositives == 0)
        {
            return double.NaN;
        }

        // From the highest score down; each group of ties is one threshold. Recall grows by
        // p/P at a group with p positives, weighted by the precision after the group.
        long truePositives = 0, flagged = 0;
        var sum = 0.0;
        var i = n - 1;
        while (i >= 0)
        {
            long p = 0, k = 0;
            var value = s[i];
            do
            {
                if (l[i]) p++;
                k++;
                i--;
            }
            while (i >= 0 && s[i] == value);

            truePositives += p;
            flagged += k;
            if (p > 0)
            {
                sum += (double)p * truePositives / flagged;
            }
        }

        return sum / totalPositives;
    }
}
