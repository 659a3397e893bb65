using System.Globalization;
using System.Text.Json;
using Pipeline.Models.Internal;
using Pipeline.Tests.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Internal;

public sealed class PythonRandomTests
{
    [Fact]
    public void Random_should_equal_cpython_for_the_first_2000_values_when_seeded_with_42()
    {
        var expected = HstFixtures.Numbers("python_random_seed42_first2000.txt");
        var rng = new PythonRandom(42);

        var actual = Enumerable.Range(0, expected.Length).Select(_ => rng.NextDouble()).ToArray();

        Assert.Equal(2000, expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"value {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [Fact]
    public void Random_should_equal_cpython_when_seeds_are_zero_negative_or_wider_than_32_bits()
    {
        using var doc = HstFixtures.Json("python_random_cpython_extra.json");

        foreach (var c in doc.RootElement.GetProperty("seeds").EnumerateArray())
        {
            var seedText = c.GetProperty("seed").GetString()!;
            var rng = new PythonRandom(long.Parse(seedText, CultureInfo.InvariantCulture));
            var expected = c.GetProperty("random").EnumerateArray().Select(e => e.GetDouble()).ToArray();

            var actual = expected.Select(_ => rng.NextDouble()).ToArray();

            Assert.True(expected.SequenceEqual(actual), $"seed {seedText}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
        }
    }

    [Fact]
    public void GetRandBits_should_equal_cpython_for_widths_up_to_64_bits()
    {
        using var doc = HstFixtures.Json("python_random_cpython_extra.json");
        var rng = new PythonRandom(2024);

        foreach (var c in doc.RootElement.GetProperty("getrandbits_seed2024").EnumerateArray())
        {
            var k = c.GetProperty("k").GetInt32();
            var expected = ulong.Parse(c.GetProperty("value").GetString()!, CultureInfo.InvariantCulture);

            Assert.Equal(expected, rng.GetRandBits(k));
        }
    }

    [Fact]
    public void Shuffle_should_permute_like_cpython_and_leave_the_generator_in_the_same_state()
    {
        using var doc = HstFixtures.Json("python_random_cpython_extra.json");
        var expected = doc.RootElement.GetProperty("shuffle_seed99").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var items = Enumerable.Range(0, 20).ToArray();
        var rng = new PythonRandom(99);

        rng.Shuffle(items.AsSpan());

        Assert.Equal(expected, items);
        Assert.Equal(doc.RootElement.GetProperty("shuffle_seed99_next_random").GetDouble(), rng.NextDouble());
    }

    [Fact]
    public void ChooseIndexCumulative_should_pick_like_cpython_choices_including_zero_weights_and_one_entry()
    {
        using var doc = HstFixtures.Json("python_random_cpython_extra.json");
        var rng = new PythonRandom(5);

        foreach (var c in doc.RootElement.GetProperty("choices_seed5").EnumerateArray())
        {
            var weights = c.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var cumulative = new double[weights.Length];
            var sum = 0.0;
            for (var i = 0; i < weights.Length; i++) cumulative[i] = sum += weights[i];

            Assert.Equal(c.GetProperty("index").GetInt32(), rng.ChooseIndexCumulative(cumulative));
        }

        Assert.Equal(doc.RootElement.GetProperty("choices_seed5_next_random").GetDouble(), rng.NextDouble());
    }

    [Fact]
    public void Uniform_should_equal_cpython_uniform()
    {
        using var doc = HstFixtures.Json("python_random_cpython_extra.json");
        var expected = doc.RootElement.GetProperty("uniform_seed11").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var rng = new PythonRandom(11);

        var actual = expected.Select(_ => rng.Uniform(-3.5, 8.25)).ToArray();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void FromState_should_continue_the_exact_sequence_when_restored_mid_block()
    {
        var rng = new PythonRandom(123);
        for (var i = 0; i < 700; i++) rng.NextDouble();
        var words = new uint[PythonRandom.StateWords];
        var position = rng.SaveState(words);

        var restored = PythonRandom.FromState(words, position);

        var original = Enumerable.Range(0, 1000).Select(_ => rng.NextDouble()).ToArray();
        var resumed = Enumerable.Range(0, 1000).Select(_ => restored.NextDouble()).ToArray();
        Assert.Equal(original, resumed);
    }

    [Fact]
    public void ChooseIndexCumulative_should_reject_weights_that_do_not_add_up_to_a_positive_finite_total()
    {
        var rng = new PythonRandom(1);

        Assert.Throws<ArgumentException>(() => rng.ChooseIndexCumulative([]));
        Assert.Throws<ArgumentException>(() => rng.ChooseIndexCumulative([0.0, 0.0]));
        Assert.Throws<ArgumentException>(() => rng.ChooseIndexCumulative([1.0, double.PositiveInfinity]));
    }

    [Fact]
    public void FromState_should_reject_a_state_of_the_wrong_size_or_position()
    {
        Assert.Throws<ArgumentException>(() => PythonRandom.FromState(new uint[10], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonRandom.FromState(new uint[PythonRandom.StateWords], 625));
    }
}
