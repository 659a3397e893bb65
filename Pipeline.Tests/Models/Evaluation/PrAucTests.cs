using Pipeline.Models.Evaluation;
using Xunit;

namespace Pipeline.Tests.Models.Evaluation;

public sealed class PrAucTests
{
    [Fact]
    public void Compute_should_sum_precision_weighted_by_recall_steps()
    {
        // Thresholds from the top: 0.8 → P=1, R=1/2; 0.4 → no recall step; 0.35 → P=2/3, R=1.
        // AP = 1/2·1 + 1/2·2/3 = 5/6.
        var ap = PrAuc.Compute([0.1, 0.4, 0.35, 0.8], [false, false, true, true]);

        Assert.Equal(5.0 / 6.0, ap, 15);
    }

    [Fact]
    public void Compute_should_treat_tied_scores_as_one_threshold()
    {
        // 0.9 → P=1, R=1/2; the tie at 0.8 enters together → P=2/3, R=1. AP = 1/2 + 1/3.
        var ap = PrAuc.Compute([0.9, 0.8, 0.8, 0.3], [true, true, false, false]);
        var allTied = PrAuc.Compute([0.5, 0.5, 0.5, 0.5], [true, false, true, false]);

        Assert.Equal(5.0 / 6.0, ap, 15);
        Assert.Equal(0.5, allTied, 15);
    }

    [Fact]
    public void Compute_should_be_one_for_a_perfect_ranking_and_the_base_rate_at_worst()
    {
        Assert.Equal(1.0, PrAuc.Compute([0.2, 0.9, 0.1, 0.7], [false, true, false, true]));
        // The positive comes last: its only recall step has precision 1/4.
        Assert.Equal(0.25, PrAuc.Compute([0.9, 0.8, 0.7, 0.1], [false, false, false, true]), 15);
    }

    [Fact]
    public void Compute_should_be_undefined_without_positives_and_one_without_negatives()
    {
        Assert.True(double.IsNaN(PrAuc.Compute([0.1, 0.2], [false, false])));
        Assert.Equal(1.0, PrAuc.Compute([0.1, 0.2], [true, true]));
    }

    [Fact]
    public void Compute_should_reject_mismatched_lengths_and_nan_scores()
    {
        Assert.Throws<ArgumentException>(() => PrAuc.Compute([0.1, 0.2], [true]));
        Assert.Throws<ArgumentException>(() => PrAuc.Compute([double.NaN], [true]));
    }
}
