using Pipeline.Models.Anomaly;
using Pipeline.Models.Anomaly.Rules;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class EnsembleScorerTests
{
    private static readonly EnsembleOptions Options = new() { HstWeight = 0.6, RuleWeight = 0.25, StatisticalWeight = 0.15, ZScoreHalfPoint = 3.0 };

    private static RuleFiring Rule(string code, double weight) => new(code, code, 1.0, 1.0, weight);

    [Fact]
    public void RuleScore_should_equal_the_weight_when_a_single_rule_fires()
    {
        Assert.Equal(0.0, EnsembleScorer.RuleScore(Array.Empty<RuleFiring>()));
        Assert.Equal(0.3, EnsembleScorer.RuleScore(new[] { Rule("a", 0.3) }), 15);
    }

    [Fact]
    public void RuleScore_should_grow_with_corroborating_rules_but_stay_at_most_one_when_several_fire()
    {
        var one = EnsembleScorer.RuleScore(new[] { Rule("a", 0.5) });
        var two = EnsembleScorer.RuleScore(new[] { Rule("a", 0.5), Rule("b", 0.5) });
        var many = EnsembleScorer.RuleScore(Enumerable.Range(0, 50).Select(i => Rule($"r{i}", 0.9)).ToArray());
        var reversed = EnsembleScorer.RuleScore(new[] { Rule("b", 0.2), Rule("a", 0.7) });
        var forward = EnsembleScorer.RuleScore(new[] { Rule("a", 0.7), Rule("b", 0.2) });

        Assert.Equal(0.75, two, 15);
        Assert.True(two > one);
        Assert.InRange(many, 0.99, 1.0);
        Assert.Equal(forward, reversed, 15);
    }

    [Fact]
    public void StatisticalScore_should_be_one_half_at_the_half_point_and_symmetric_in_sign()
    {
        var scorer = new EnsembleScorer(Options);

        Assert.Equal(0.0, scorer.StatisticalScore(0.0));
        Assert.Equal(0.5, scorer.StatisticalScore(3.0));
        Assert.Equal(scorer.StatisticalScore(6.0), scorer.StatisticalScore(-6.0));
        Assert.Equal(1.0, scorer.StatisticalScore(double.NegativeInfinity));
    }

    [Fact]
    public void EnsembleScorer_should_return_the_weighted_mean_of_the_components_when_all_are_present()
    {
        var scorer = new EnsembleScorer(Options);

        var score = scorer.Score(0.8, new[] { Rule("a", 0.4) }, 3.0);

        Assert.Equal(0.6 * 0.8 + 0.25 * 0.4 + 0.15 * 0.5, score.Total, 12);
        Assert.Equal(0.8, score.Hst);
        Assert.Equal(0.4, score.Rules, 15);
        Assert.Equal(0.5, score.Statistical);
    }

    [Fact]
    public void EnsembleScorer_should_renormalise_over_present_components_when_some_are_missing()
    {
        var scorer = new EnsembleScorer(Options);

        var score = scorer.Score(double.NaN, new[] { Rule("a", 1.0) }, double.NaN);

        Assert.Equal(1.0, score.Total);
        Assert.True(double.IsNaN(score.Hst));
        Assert.True(double.IsNaN(score.Statistical));
    }

    [Fact]
    public void EnsembleScorer_should_keep_the_total_in_unit_range_when_fed_random_components()
    {
        var random = new Random(21);
        var scorer = new EnsembleScorer(new EnsembleOptions { HstWeight = 3.0, RuleWeight = 0.5, StatisticalWeight = 7.0, ZScoreHalfPoint = 0.1 });

        for (var i = 0; i < 10_000; i++)
        {
            var rules = Enumerable.Range(0, random.Next(0, 5)).Select(k => Rule($"r{k}", random.NextDouble())).ToArray();
            var hst = random.Next(10) == 0 ? double.NaN : random.NextDouble();
            var z = random.Next(10) == 0 ? double.NaN : (random.NextDouble() - 0.5) * 1e4;

            var score = scorer.Score(hst, rules, z);

            Assert.InRange(score.Total, 0.0, 1.0);
        }
    }

    [Fact]
    public void EnsembleScorer_should_reject_the_hst_score_when_it_is_outside_unit_range()
    {
        var scorer = new EnsembleScorer(Options);

        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score(1.5, Array.Empty<RuleFiring>(), 0.0));
    }

    [Fact]
    public void EnsembleOptions_should_refuse_the_weights_when_all_are_zero()
    {
        var options = Options with { HstWeight = 0, RuleWeight = 0, StatisticalWeight = 0 };

        Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
    }
}
