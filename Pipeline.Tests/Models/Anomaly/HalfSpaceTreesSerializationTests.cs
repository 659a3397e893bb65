using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class HalfSpaceTreesSerializationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(137)]
    public void ReadFrom_should_restore_a_model_with_identical_future_scores_and_learning(int learnedBefore)
    {
        var options = new HalfSpaceTreesOptions
        {
            Trees = 4,
            Height = 5,
            WindowSize = 25,
            Seed = 31,
            Features = ["amount", "velocity", "hour"],
            Limits = new Dictionary<string, FeatureLimits> { ["amount"] = new(0, 1000) },
        };
        var original = new HalfSpaceTrees(options);
        var rng = new Random(17);
        for (var i = 0; i < learnedBefore; i++) original.LearnOne(Vector(rng));

        var restored = RoundTrip(original);

        Assert.Equal(original.LearnCount, restored.LearnCount);
        Assert.Equal(original.IsBuilt, restored.IsBuilt);
        Assert.Equal(original.HasReferenceWindow, restored.HasReferenceWindow);
        Assert.Equal(original.Features, restored.Features);
        Assert.Equal(original.Options.Limits, restored.Options.Limits);
        for (var i = 0; i < 300; i++)
        {
            var x = Vector(rng);
            Assert.Equal(original.ScoreOne(x), restored.ScoreOne(x));
            original.LearnOne(x);
            restored.LearnOne(x);
        }
    }

    [Fact]
    public void ReadFrom_should_resume_the_generator_of_a_schemaless_model_that_was_never_built()
    {
        var original = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 3, Height = 4, WindowSize = 5, Seed = 8 });

        var restored = RoundTrip(original);
        var sample = new Dictionary<string, double> { ["q"] = 0.3, ["p"] = 0.9 };
        original.LearnOne(sample);
        restored.LearnOne(sample);

        for (var t = 0; t < 3; t++)
        {
            for (var n = 0; n < 31; n++) Assert.Equal(original.SplitAt(t, n), restored.SplitAt(t, n));
        }
    }

    [Fact]
    public void ReadFrom_should_keep_the_trees_of_an_unseeded_model()
    {
        var original = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 2, Height = 3, WindowSize = 4, Features = ["a"] });
        original.LearnOne([0.4]);

        var restored = RoundTrip(original);

        Assert.Null(restored.Options.Seed);
        Assert.Equal(original.SplitAt(1, 2), restored.SplitAt(1, 2));
    }

    [Fact]
    public void ReadFrom_should_reject_foreign_truncated_or_unsupported_payloads()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 2, Height = 3, WindowSize = 4, Seed = 1, Features = ["a"] });
        model.LearnOne([0.4]);
        using var buffer = new MemoryStream();
        model.WriteTo(buffer);
        var bytes = buffer.ToArray();
        var wrongVersion = (byte[])bytes.Clone();
        wrongVersion[4] = 99;
        var badMass = (byte[])bytes.Clone();
        // The first node's l_mass sits after the header; corrupt it to exceed the window.
        var firstNode = bytes.Length - (2 * 15 * 20) - 4 - 8 - 1;
        BitConverter.GetBytes(1000).CopyTo(badMass, firstNode + 12);

        var foreign = Assert.Throws<InvalidDataException>(() => HalfSpaceTrees.ReadFrom(new MemoryStream("not a model"u8.ToArray())));
        var truncated = Assert.Throws<InvalidDataException>(() => HalfSpaceTrees.ReadFrom(new MemoryStream(bytes[..^10])));
        var version = Assert.Throws<InvalidDataException>(() => HalfSpaceTrees.ReadFrom(new MemoryStream(wrongVersion)));
        var mass = Assert.Throws<InvalidDataException>(() => HalfSpaceTrees.ReadFrom(new MemoryStream(badMass)));

        Assert.Contains("magic", foreign.Message);
        Assert.Contains("truncated", truncated.Message);
        Assert.Contains("version 99", version.Message);
        Assert.Contains("node 0", mass.Message);
    }

    private static HalfSpaceTrees RoundTrip(HalfSpaceTrees model)
    {
        using var buffer = new MemoryStream();
        model.WriteTo(buffer);
        buffer.Position = 0;
        var restored = HalfSpaceTrees.ReadFrom(buffer);
        Assert.Equal(buffer.Length, buffer.Position);
        return restored;
    }

    private static double[] Vector(Random rng) =>
        [rng.NextDouble() * 1000, rng.NextDouble() < 0.1 ? double.NaN : rng.NextDouble(), rng.NextDouble()];
}
