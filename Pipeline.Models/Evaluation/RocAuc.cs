namespace Pipeline.Models.Evaluation;

/// <summary>
/// Exact area under the ROC curve: the probability that a randomly chosen positive scores higher
/// than a randomly chosen negative, ties counting one half (the Mann–Whitney U statistic divided
/// by P·N). Higher scores mean "more likely positive". Unlike River's streaming <c>ROCAUC</c>,
/// which approximates the curve on a fixed grid of thresholds, this sorts every score.
/// </summary>
/// <remarks>Cost: O(n log n) time; two pooled buffers of n entries, returned before it returns.</remarks>
public static class RocAuc
{
    /// <summary>
    /// ROC AUC of <paramref name="scores"/> against <paramref name="labels"/> (true = positive).
    /// Returns NaN when there is no positive or no negative, as the curve is then undefined.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length or a score is NaN.</exception>
    public static double Compute(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        using var sorted = RankedScores.Sort(scores, labels);
        var s = sorted.Scores;
        var l = sorted.Labels;
        var n = s.Length;

        // Walk groups of equal scores from the lowest up. A positive beats every negative
        // below its group and ties with the negatives inside it: twice the U statistic is
        // Σ (2·p·negatives_below + p·n) over groups, an exact integer.
        long positives = 0, negatives = 0, twiceU = 0;
        var i = 0;
        while (i < n)
        {
            long p = 0, q = 0;
            var value = s[i];
            do
            {
                if (l[i]) p++;
                else q++;
                i++;
            }
            while (i < n && s[i] == value);

            twiceU += (2 * p * negatives) + (p * q);
            positives += p;
            negatives += q;
        }

        return positives == 0 || negatives == 0 ? double.NaN : twiceU / (2.0 * positives * negatives);
    }
}
