namespace Pipeline.Models.Evaluation;

/// <summary>Argument checks shared by the ranking metrics.</summary>
internal static class RankedScores
{
    /// <summary>Returns the length after checking that the spans match and no score is NaN.</summary>
    public static int Validate(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"scores ({scores.Length}) and labels ({labels.Length}) must have the same length", nameof(labels));
        }

        var nan = scores.IndexOfAnyExceptInRange(double.NegativeInfinity, double.PositiveInfinity);
        if (nan >= 0)
        {
            throw new ArgumentException($"score {nan} is NaN; every score must be a number", nameof(scores));
        }

        return scores.Length;
    }
}
