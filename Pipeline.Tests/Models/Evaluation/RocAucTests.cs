using Pipeline.Models.Evaluation;
using Xunit;

namespace Pipeline.Tests.Models.Evaluation;

public sealed class RocAucTests
{
    [Fact]
    public void Compute_should_equal_the_share_of_correctly_ordered_pairs()
    {
        // Pairs (positive, negative): (0.35, 0.1) ok, (0.35, 0.4) wrong, (0.8, 0.1) ok, (0.8, 0.4) ok → 3/4.
        var auc = RocAuc.Compute([0.1, 0.4, 0.35, 0.8], [false, false, true, true]);

        Assert.Equal(0.75, auc, 15);
    }

    [Fact]
    public void Compute_should_count_tied_pairs_as_one_half()
    {
        // Positives 0.9, 0.8 against negatives 0.8, 0.3: 1 + 1 + 0.5 + 1 = 3.5 of 4 pairs.
        var auc = RocAuc.Compute([0.9, 0.8, 0.8, 0.3], [true, true, false, false]);
        var allTied = RocAuc.Compute([0.5, 0.5, 0.5, 0.5], [true, false, true, false]);

        Assert.Equal(0.875, auc, 15);
        Assert.Equal(0.5, allTied, 15);
    }

    [Fact]
    public void Compute_should_be_one_for_a_perfect_ranking_and_zero_for_an_inverted_one()
    {
        Assert.Equal(1.0, RocAuc.Compute([0.2, 0.9, 0.1, 0.7], [false, true, false, true]));
        Assert.Equal(0.0, RocAuc.Compute([0.8, 0.1, 0.9, 0.3], [false, true, false, true]));
    }

    [Fact]
    public void Compute_should_be_undefined_without_both_classes()
    {
        Assert.True(double.IsNaN(RocAuc.Compute([0.1, 0.2], [true, true])));
        Assert.True(double.IsNaN(RocAuc.Compute([0.1, 0.2], [false, false])));
        Assert.True(double.IsNaN(RocAuc.Compute([], [])));
    }

    [Fact]
    public void Compute_should_agree_with_counting_every_pair_on_a_seeded_sample_with_ties()
    {
        var rng = new Random(3);
        var scores = Enumerable.Range(0, 400).Select(_ => Math.Round(rng.NextDouble(), 1)).ToArray();
        var labels = scores.Select(s => rng.NextDouble() < s).ToArray();
        double wins = 0, pairs = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (!labels[i]) continue;
            for (var j = 0; j < scores.Length; j++)
            {
                if (labels[j]) continue;
                pairs++;
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
            }
        }

        var auc = RocAuc.Compute(scores, labels);

        Assert.Equal(wins / pairs, auc, 12);
    }

    [Fact]
    public void Compute_should_reject_mismatched_lengths_and_nan_scores_without_changing_the_input()
    {
        double[] scores = [0.3, double.NaN, 0.1];

        var mismatch = Assert.Throws<ArgumentException>(() => RocAuc.Compute([0.1], [true, false]));
        var nan = Assert.Throws<ArgumentException>(() => RocAuc.Compute(scores, [true, false, true]));

        Assert.Contains("same length", mismatch.Message);
        Assert.Contains("score 1 is NaN", nan.Message);
        Assert.Equal(0.3, scores[0]);
    }
}
