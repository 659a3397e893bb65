using System.Buffers;

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

    /// <summary>
    /// Checks the arguments, then copies them into pooled buffers sorted by ascending score (labels
    /// follow their scores). Dispose the result to return the buffers.
    /// </summary>
    public static Sorted Sort(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var n = Validate(scores, labels);
        var sorted = new Sorted(ArrayPool<double>.Shared.Rent(n), ArrayPool<bool>.Shared.Rent(n), n);
        scores.CopyTo(sorted.Scores);
        labels.CopyTo(sorted.Labels);
        sorted.Scores.Sort(sorted.Labels);
        return sorted;
    }

    /// <summary>Scores and labels sorted by score, in pooled buffers.</summary>
    public readonly struct Sorted(double[] scores, bool[] labels, int count) : IDisposable
    {
        /// <summary>The scores, ascending.</summary>
        public Span<double> Scores => scores.AsSpan(0, count);

        /// <summary>The labels, in the order of <see cref="Scores"/>.</summary>
        public Span<bool> Labels => labels.AsSpan(0, count);

        /// <summary>Returns the buffers to the pool.</summary>
        public void Dispose()
        {
            ArrayPool<double>.Shared.Return(scores);
            ArrayPool<bool>.Shared.Return(labels);
        }
    }
}
