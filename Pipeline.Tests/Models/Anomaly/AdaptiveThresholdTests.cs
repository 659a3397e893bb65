using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class AdaptiveThresholdTests
{
    private static readonly AdaptiveThresholdOptions Options = new()
    {
        Initial = 0.7,
        Min = 0.5,
        Max = 0.9,
        TargetRateLow = 0.01,
        TargetRateHigh = 0.05,
        Step = 0.1,
        IntervalEvents = 100,
    };

    [Fact]
    public void AdaptiveThreshold_should_move_only_at_interval_boundaries_when_every_event_alerts()
    {
        var threshold = new AdaptiveThreshold(Options);
        var seen = new List<double>();

        for (var i = 0; i < 250; i++)
        {
            seen.Add(threshold.Threshold);
            Assert.True(threshold.Evaluate(1.0));
        }

        Assert.All(seen.Take(100), t => Assert.Equal(0.7, t));
        Assert.All(seen.Skip(100).Take(100), t => Assert.Equal(0.8, t, 12));
        Assert.All(seen.Skip(200), t => Assert.Equal(0.9, t, 12));
        Assert.Equal(2, threshold.IntervalsCompleted);
        Assert.Equal(50, threshold.EventsInInterval);
        Assert.Equal(1.0, threshold.LastIntervalAlertRate);
    }

    [Fact]
    public void AdaptiveThreshold_should_stay_within_bounds_when_the_alert_rate_stays_off_target()
    {
        var high = new AdaptiveThreshold(Options);
        var low = new AdaptiveThreshold(Options);

        for (var i = 0; i < 10_000; i++)
        {
            high.Evaluate(1.0);
            low.Evaluate(0.0);
            Assert.InRange(high.Threshold, Options.Min, Options.Max);
            Assert.InRange(low.Threshold, Options.Min, Options.Max);
        }

        Assert.Equal(0.9, high.Threshold, 12);
        Assert.Equal(0.5, low.Threshold, 12);
    }

    [Fact]
    public void AdaptiveThreshold_should_hold_when_the_alert_rate_is_inside_the_band()
    {
        var threshold = new AdaptiveThreshold(Options);

        for (var i = 0; i < 1000; i++)
        {
            // 3 alerts per 100 events: inside [1%, 5%].
            threshold.Evaluate(i % 100 < 3 ? 0.95 : 0.1);
        }

        Assert.Equal(0.7, threshold.Threshold);
        Assert.Equal(10, threshold.IntervalsCompleted);
        Assert.Equal(0.03, threshold.LastIntervalAlertRate, 12);
    }

    [Fact]
    public void AdaptiveThreshold_should_judge_strictly_above_when_the_score_equals_the_threshold()
    {
        var threshold = new AdaptiveThreshold(Options);

        Assert.False(threshold.Evaluate(0.7));
        Assert.True(threshold.Evaluate(0.7000001));
    }

    [Fact]
    public void AdaptiveThreshold_should_make_identical_decisions_when_restored_mid_interval()
    {
        var random = new Random(9);
        var scores = Enumerable.Range(0, 2000).Select(_ => random.NextDouble()).ToArray();
        var original = new AdaptiveThreshold(Options);
        for (var i = 0; i < 1234; i++)
        {
            original.Evaluate(scores[i]);
        }

        using var buffer = new MemoryStream();
        original.WriteTo(buffer);
        buffer.Position = 0;
        var restored = AdaptiveThreshold.ReadFrom(buffer);

        Assert.Equal(34, restored.EventsInInterval);
        for (var i = 1234; i < scores.Length; i++)
        {
            Assert.Equal(original.Evaluate(scores[i]), restored.Evaluate(scores[i]));
            Assert.Equal(original.Threshold, restored.Threshold);
        }
    }

    [Theory]
    [InlineData(0.95, 0.5, 0.9, "Initial")]
    [InlineData(0.7, 0.8, 0.6, "Max")]
    public void AdaptiveThresholdOptions_should_name_the_option_when_it_is_out_of_range(double initial, double min, double max, string name)
    {
        var options = Options with { Initial = initial, Min = min, Max = max };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(name, e.ParamName);
    }
}
