namespace Pipeline.Models.Evaluation;

/// <summary>
/// Confusion counts of binary decisions and the metrics derived from them. An event is flagged
/// (predicted positive) when its score is at or above the operating threshold. Immutable; build it
/// from spans with <see cref="AtThreshold"/> or one decision at a time with <see cref="Add"/>.
/// </summary>
/// <param name="TruePositives">Flagged events that are positive.</param>
/// <param name="FalsePositives">Flagged events that are negative.</param>
/// <param name="TrueNegatives">Unflagged events that are negative.</param>
/// <param name="FalseNegatives">Unflagged events that are positive.</param>
public readonly record struct BinaryMetrics(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    /// <summary>Number of events counted.</summary>
    public long Total => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>TP / (TP + FP): the share of alerts that were right. NaN when nothing was flagged.</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN): the share of positives that were caught. NaN when there was no positive.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>
    /// Harmonic mean of precision and recall, computed as 2·TP / (2·TP + FP + FN) so it is 0
    /// (not NaN) when positives exist but nothing was flagged. NaN only when there was neither a
    /// positive nor a flag.
    /// </summary>
    public double F1 => Ratio(2 * TruePositives, (2 * TruePositives) + FalsePositives + FalseNegatives);

    /// <summary>Counts one more decision.</summary>
    public BinaryMetrics Add(bool flagged, bool positive) => (flagged, positive) switch
    {
        (true, true) => this with { TruePositives = TruePositives + 1 },
        (true, false) => this with { FalsePositives = FalsePositives + 1 },
        (false, false) => this with { TrueNegatives = TrueNegatives + 1 },
        (false, true) => this with { FalseNegatives = FalseNegatives + 1 },
    };

    /// <summary>Counts the decisions <c>score ≥ threshold</c> against <paramref name="labels"/> (true = positive).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static BinaryMetrics AtThreshold(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double threshold)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"scores ({scores.Length}) and labels ({labels.Length}) must have the same length", nameof(labels));
        }

        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var flagged = scores[i] >= threshold;
            if (flagged)
            {
                if (labels[i]) tp++;
                else fp++;
            }
            else if (labels[i])
            {
                fn++;
            }
            else
            {
                tn++;
            }
        }

        return new BinaryMetrics(tp, fp, tn, fn);
    }

    private static double Ratio(long numerator, long denominator) =>
        denominator == 0 ? double.NaN : (double)numerator / denominator;
}
