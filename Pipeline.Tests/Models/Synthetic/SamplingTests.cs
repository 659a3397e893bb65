using Pipeline.Models.Synthetic;
using Xunit;

namespace Pipeline.Tests.Models.Synthetic;

public sealed class SamplingTests
{
    [Fact]
    public void WeightedCumulative_should_pick_in_proportion_to_weights_and_never_a_zero_weight()
    {
        var rng = new Random(3);
        var cumulative = Sampling.Cumulative([1.0, 0.0, 3.0]);

        var counts = new int[3];
        for (var i = 0; i < 40_000; i++) counts[Sampling.WeightedCumulative(rng, cumulative)]++;

        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[0] / 40_000.0, 0.24, 0.26);
    }

    [Fact]
    public void WeightedCumulative_should_agree_with_weighted_on_the_same_draws()
    {
        double[] weights = [0.5, 2, 1, 4, 0.25];
        var a = new Random(5);
        var b = new Random(5);
        var cumulative = Sampling.Cumulative(weights);

        var linear = Enumerable.Range(0, 2000).Select(_ => Sampling.Weighted(a, weights)).ToList();
        var binary = Enumerable.Range(0, 2000).Select(_ => Sampling.WeightedCumulative(b, cumulative)).ToList();

        Assert.Equal(linear, binary);
    }

    [Fact]
    public void Uuid_should_be_version_4_with_the_rfc_variant()
    {
        var rng = new Random(1);

        var ids = Enumerable.Range(0, 100).Select(_ => Sampling.Uuid(rng).ToString("D")).ToList();

        Assert.All(ids, id => Assert.Equal('4', id[14]));
        Assert.All(ids, id => Assert.Contains(id[19], "89ab"));
    }
}
