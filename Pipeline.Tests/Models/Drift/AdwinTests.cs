using System.Text.Json;
using Pipeline.Models.Drift;
using Xunit;

namespace Pipeline.Tests.Models.Drift;

public sealed class AdwinTests
{
    public static TheoryData<int> FixtureCases() => new(Enumerable.Range(0, DriftFixtures.Cases("adwin").Length));

    private static AdwinOptions OptionsOf(JsonElement p) => new()
    {
        Delta = p.GetProperty("delta").GetDouble(),
        Clock = p.GetProperty("clock").GetInt32(),
        MaxBuckets = p.GetProperty("max_buckets").GetInt32(),
        MinWindowLength = p.GetProperty("min_window_length").GetInt32(),
        GracePeriod = p.GetProperty("grace_period").GetInt32(),
    };

    private static void AssertRelative(double expected, double actual, string what)
    {
        var tolerance = Math.Max(Math.Abs(expected), 1e-300) * 1e-9;
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void Adwin_should_reproduce_river_detections_and_window_statistics_when_fed_the_docstring_stream(int caseIndex)
    {
        var c = DriftFixtures.Cases("adwin")[caseIndex];
        var stream = DriftFixtures.Stream("adwin");
        var adwin = new Adwin(OptionsOf(c.GetProperty("params")));
        var expectedStates = c.GetProperty("state_after_each_detection").EnumerateArray().ToArray();
        var detections = new List<int>();

        for (var i = 0; i < stream.Length; i++)
        {
            if (adwin.Update(stream[i]))
            {
                var state = expectedStates[detections.Count];
                Assert.Equal(state.GetProperty("index").GetInt32(), i);
                Assert.Equal(state.GetProperty("width").GetDouble(), adwin.Width);
                Assert.Equal(state.GetProperty("total").GetDouble(), adwin.Total);
                AssertRelative(state.GetProperty("variance").GetDouble(), adwin.Variance, $"variance at {i}");
                AssertRelative(state.GetProperty("estimation").GetDouble(), adwin.Estimation, $"estimation at {i}");
                detections.Add(i);
            }
        }

        Assert.Equal(DriftFixtures.Ints(c.GetProperty("drift_indices")), detections);
        var final = c.GetProperty("final_state");
        Assert.Equal(final.GetProperty("width").GetDouble(), adwin.Width);
        Assert.Equal(final.GetProperty("total").GetDouble(), adwin.Total);
        AssertRelative(final.GetProperty("variance").GetDouble(), adwin.Variance, "final variance");
        AssertRelative(final.GetProperty("estimation").GetDouble(), adwin.Estimation, "final estimation");
        Assert.Equal(detections.Count, adwin.DetectionCount);
    }

    [Fact]
    public void Adwin_should_detect_each_segment_change_at_river_indices_when_fed_the_four_segment_stream()
    {
        var stream = DriftFixtures.Stream("adwin", "four_segment_stream.txt");
        var adwin = new Adwin();
        var detections = new List<int>();

        for (var i = 0; i < stream.Length; i++)
        {
            if (adwin.Update(stream[i]))
            {
                detections.Add(i);
            }
        }

        // 2015 = 1024 + 31 * 32 - 1: the clock restarts with the window after each detection.
        Assert.Equal(new[] { 1023, 2015, 3007 }, detections);
    }

    [Fact]
    public void Adwin_should_report_zero_width_and_zero_estimation_when_empty()
    {
        var adwin = new Adwin();

        Assert.Equal(0.0, adwin.Width);
        Assert.Equal(0.0, adwin.Total);
        Assert.Equal(0.0, adwin.Variance);
        Assert.Equal(0.0, adwin.Estimation);
        Assert.False(adwin.DriftDetected);
        Assert.Equal(0, adwin.DetectionCount);
    }

    [Fact]
    public void Adwin_should_report_sum_of_squared_deviations_as_variance_when_fed_one_to_five()
    {
        var adwin = new Adwin();

        foreach (var v in new[] { 1.0, 2.0, 3.0, 4.0, 5.0 })
        {
            adwin.Update(v);
        }

        Assert.Equal(5.0, adwin.Width);
        Assert.Equal(15.0, adwin.Total);
        Assert.Equal(10.0, adwin.Variance);
        Assert.Equal(3.0, adwin.Estimation);
    }

    [Theory]
    [InlineData(1.0, 32)]
    [InlineData(-5.0, 1)]
    [InlineData(1e15, 4)]
    public void Adwin_should_never_detect_drift_when_the_stream_is_constant(double value, int clock)
    {
        var adwin = new Adwin(new AdwinOptions { Clock = clock });

        for (var i = 0; i < 20_000; i++)
        {
            Assert.False(adwin.Update(value), $"drift at {i}");
        }

        Assert.Equal(20_000.0, adwin.Width);
        Assert.Equal(value, adwin.Estimation, 1e-9 * Math.Abs(value));
    }

    [Fact]
    public void Adwin_should_start_a_window_of_width_one_when_updated_after_a_detection()
    {
        var adwin = new Adwin(new AdwinOptions { Clock = 1 });
        for (var i = 0; i < 500; i++)
        {
            adwin.Update(0.0);
        }

        var detectedAt = -1;
        for (var i = 0; i < 500 && detectedAt < 0; i++)
        {
            if (adwin.Update(100.0))
            {
                detectedAt = i;
            }
        }

        Assert.True(detectedAt >= 0, "a jump from 0 to 100 must be detected");
        Assert.True(adwin.Width > 1.0 && adwin.Width < 1000.0, "the detecting update shows the shrunken window");

        var again = adwin.Update(50.0);

        Assert.False(again);
        Assert.False(adwin.DriftDetected);
        Assert.Equal(1.0, adwin.Width);
        Assert.Equal(50.0, adwin.Total);
        Assert.Equal(0.0, adwin.Variance);
        Assert.Equal(1, adwin.DetectionCount);
    }

    [Theory]
    [InlineData(48)]
    [InlineData(7)]
    public void Adwin_should_test_only_on_multiples_of_the_clock_since_the_last_reset_when_detecting_repeatedly(int clock)
    {
        var stream = DriftFixtures.Stream("adwin", "four_segment_stream.txt");
        var adwin = new Adwin(new AdwinOptions { Clock = clock });
        var detections = new List<int>();

        for (var i = 0; i < stream.Length; i++)
        {
            if (adwin.Update(stream[i]))
            {
                detections.Add(i);
            }
        }

        Assert.True(detections.Count >= 3, $"each of the three regime changes must be detected, got [{string.Join(", ", detections)}]");
        Assert.Equal(0, (detections[0] + 1) % clock);
        for (var k = 1; k < detections.Count; k++)
        {
            Assert.Equal(0, (detections[k] - detections[k - 1]) % clock);
        }
    }

    [Theory]
    [InlineData(2, 1, 0.01, 1)]
    [InlineData(5, 32, 0.002, 5)]
    [InlineData(3, 4, 0.1, 2)]
    public void Adwin_should_keep_width_and_total_equal_to_the_items_it_holds_when_fed_random_regimes(int maxBuckets, int clock, double delta, int minWindow)
    {
        var random = new Random(7);
        var adwin = new Adwin(new AdwinOptions { MaxBuckets = maxBuckets, Clock = clock, Delta = delta, MinWindowLength = minWindow });
        var kept = new List<double>();

        for (var i = 0; i < 6000; i++)
        {
            var regime = (i / 1500) % 2 == 0 ? 0.0 : 3.0;
            var x = regime + Math.Round(random.NextDouble() * 4.0) / 4.0;
            if (adwin.DriftDetected)
            {
                kept.Clear();
            }

            kept.Add(x);
            adwin.Update(x);

            // The window always holds the newest `width` items, so a brute-force list trimmed to
            // that length must sum to the detector's total.
            var width = (int)adwin.Width;
            Assert.Equal(adwin.Width, width);
            Assert.True(width <= kept.Count, $"width {width} exceeds the {kept.Count} items seen since the reset at {i}");
            kept.RemoveRange(0, kept.Count - width);
            Assert.Equal(kept.Sum(), adwin.Total, 1e-9);
            var mean = kept.Average();
            var m2 = kept.Sum(v => (v - mean) * (v - mean));
            Assert.Equal(m2, adwin.Variance, 1e-6 * Math.Max(1.0, m2));
        }

        Assert.True(adwin.DetectionCount >= 1, "the regime changes must be detected");
    }

    [Fact]
    public void Adwin_should_produce_identical_future_detections_when_restored_from_a_snapshot()
    {
        var stream = DriftFixtures.Stream("adwin");
        var options = new AdwinOptions { Clock = 4, Delta = 0.1 };
        var original = new Adwin(options);
        for (var i = 0; i < 1003; i++)
        {
            original.Update(stream[i]);
        }

        using var buffer = new MemoryStream();
        original.WriteTo(buffer);
        buffer.Position = 0;
        var restored = Adwin.ReadFrom(buffer);

        Assert.Equal(options, restored.Options);
        for (var i = 1003; i < stream.Length; i++)
        {
            Assert.Equal(original.Update(stream[i]), restored.Update(stream[i]));
            Assert.Equal(original.Width, restored.Width);
            Assert.Equal(original.Total, restored.Total);
            Assert.Equal(original.Variance, restored.Variance);
        }

        Assert.Equal(original.DetectionCount, restored.DetectionCount);
        Assert.True(original.DetectionCount >= 1, "the snapshot was taken before the fixture's drift at 1003");
    }

    [Fact]
    public void Adwin_should_reset_on_next_update_when_restored_from_a_snapshot_taken_at_a_detection()
    {
        var stream = DriftFixtures.Stream("adwin");
        var original = new Adwin();
        var i = 0;
        while (!original.Update(stream[i]))
        {
            i++;
        }

        using var buffer = new MemoryStream();
        original.WriteTo(buffer);
        buffer.Position = 0;
        var restored = Adwin.ReadFrom(buffer);

        Assert.True(restored.DriftDetected);
        Assert.Equal(32.0, restored.Width);
        restored.Update(1.0);
        Assert.Equal(1.0, restored.Width);
    }

    [Fact]
    public void Adwin_should_refuse_a_snapshot_when_it_belongs_to_another_type_or_is_truncated()
    {
        using var ddm = new MemoryStream();
        new Ddm().WriteTo(ddm);
        ddm.Position = 0;

        var adwin = new Adwin();
        adwin.Update(1.0);
        adwin.Update(2.0);
        using var full = new MemoryStream();
        adwin.WriteTo(full);
        using var truncated = new MemoryStream(full.ToArray()[..^5]);

        Assert.Throws<InvalidDataException>(() => Adwin.ReadFrom(ddm));
        Assert.Throws<InvalidDataException>(() => Adwin.ReadFrom(truncated));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Adwin_should_reject_the_value_and_keep_its_window_when_the_input_is_not_finite(double value)
    {
        var adwin = new Adwin();
        adwin.Update(1.0);

        Assert.Throws<ArgumentOutOfRangeException>(() => adwin.Update(value));
        Assert.Equal(1.0, adwin.Width);
        Assert.Equal(1.0, adwin.Total);
    }

    [Theory]
    [InlineData(0.0, 32, 5, 5, 10, "Delta")]
    [InlineData(1.0, 32, 5, 5, 10, "Delta")]
    [InlineData(0.002, 0, 5, 5, 10, "Clock")]
    [InlineData(0.002, 32, 1, 5, 10, "MaxBuckets")]
    [InlineData(0.002, 32, 5, 0, 10, "MinWindowLength")]
    [InlineData(0.002, 32, 5, 5, -1, "GracePeriod")]
    public void AdwinOptions_should_name_the_parameter_when_it_is_out_of_range(double delta, int clock, int maxBuckets, int minWindow, int grace, string name)
    {
        var options = new AdwinOptions { Delta = delta, Clock = clock, MaxBuckets = maxBuckets, MinWindowLength = minWindow, GracePeriod = grace };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void Adwin_should_not_allocate_when_updating_a_warmed_up_window()
    {
        var adwin = new Adwin(new AdwinOptions { Clock = 1 });
        var random = new Random(3);
        for (var i = 0; i < 200_000; i++)
        {
            adwin.Update(random.NextDouble());
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            adwin.Update(random.NextDouble());
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
