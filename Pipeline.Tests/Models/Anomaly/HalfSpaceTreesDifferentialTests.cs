using Pipeline.Models.Anomaly;
using Pipeline.Models.Internal;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

/// <summary>The optimised model against <see cref="ReferenceHalfSpaceTrees"/>, score by score.</summary>
public sealed class HalfSpaceTreesDifferentialTests
{
    [Theory]
    [InlineData(3, 4, 7, 1L, 3000)]
    [InlineData(5, 6, 25, 99L, 3000)]
    [InlineData(2, 2, 3, 12345L, 2000)]
    [InlineData(1, 8, 60, 5L, 2000)]
    public void HalfSpaceTrees_should_score_exactly_like_the_naive_transcription_over_long_streams_with_missing_features(
        int trees, int height, int window, long seed, int length)
    {
        var limits = new Dictionary<string, FeatureLimits> { ["b"] = new(-2, 2) };
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = trees, Height = height, WindowSize = window, Seed = seed, Limits = limits });
        var reference = new ReferenceHalfSpaceTrees(trees, height, window, seed, limits);
        var rng = new Random((int)seed);

        for (var i = 0; i < length; i++)
        {
            var x = Sample(rng, i, missingAllowed: i > 0);

            var expected = reference.ScoreOne(x);
            var actual = model.ScoreOne(x);
            reference.LearnOne(x);
            model.LearnOne(x);

            Assert.True(expected == actual, $"row {i}: expected {expected:R}, got {actual:R}");
        }
    }

    [Fact]
    public void HalfSpaceTrees_should_keep_masses_exact_across_the_periodic_node_rebase()
    {
        // Window 1 pivots on every learn, so the stream crosses two rebases of the lazy window
        // bookkeeping; nodes untouched for thousands of windows must still read as empty.
        const int length = 2 * HstNode.RebaseInterval + 500;
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 2, Height = 5, WindowSize = 1, Seed = 3 });
        var reference = new ReferenceHalfSpaceTrees(2, 5, 1, 3);
        var rng = new Random(11);

        for (var i = 0; i < length; i++)
        {
            // Long quiet stretches in one corner, rare visits elsewhere.
            var x = new Dictionary<string, double> { ["a"] = i % 5000 == 0 ? rng.NextDouble() : 0.01, ["b"] = rng.NextDouble() * 0.1 };

            var expected = reference.ScoreOne(x);
            var actual = model.ScoreOne(x);
            reference.LearnOne(x);
            model.LearnOne(x);

            Assert.True(expected == actual, $"row {i}: expected {expected:R}, got {actual:R}");
        }
    }

    private static Dictionary<string, double> Sample(Random rng, int i, bool missingAllowed)
    {
        var x = new Dictionary<string, double>();
        // Two regimes so masses shift between windows, plus occasional outliers.
        var shift = i / 500 % 2 == 0 ? 0.0 : 0.4;
        foreach (var name in new[] { "c", "a", "b" })
        {
            if (missingAllowed && rng.NextDouble() < 0.1) continue;
            var v = rng.NextDouble() < 0.03 ? rng.NextDouble() * 3 - 1 : shift + 0.5 * rng.NextDouble();
            x[name] = name == "b" ? 4 * v - 2 : v;
        }

        if (x.Count == 0) x["a"] = 0.5;
        return x;
    }
}
