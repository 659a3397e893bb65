using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class FeatureBaselineTests
{
    [Fact]
    public void FeatureBaseline_should_start_at_the_first_value_and_follow_later_values_exponentially()
    {
        var baseline = new FeatureBaseline(2, 0.5);

        baseline.Learn(new[] { 0.2, double.NaN });
        baseline.Learn(new[] { 0.6, 1.0 });

        Assert.Equal(0.4, baseline.Means[0], 15);
        Assert.Equal(1.0, baseline.Means[1]);
    }

    [Fact]
    public void FeatureBaseline_should_report_nan_when_a_feature_was_never_seen()
    {
        var baseline = new FeatureBaseline(1, 0.1);

        baseline.Learn(new[] { double.NaN });

        Assert.True(double.IsNaN(baseline.Means[0]));
    }

    [Fact]
    public void FeatureBaseline_should_continue_identically_when_restored_from_a_snapshot()
    {
        var baseline = new FeatureBaseline(3, 0.05);
        var random = new Random(4);
        for (var i = 0; i < 100; i++)
        {
            baseline.Learn(new[] { random.NextDouble(), random.NextDouble(), double.NaN });
        }

        using var buffer = new MemoryStream();
        baseline.WriteTo(buffer);
        buffer.Position = 0;
        var restored = FeatureBaseline.ReadFrom(buffer);
        baseline.Learn(new[] { 0.3, 0.7, 0.1 });
        restored.Learn(new[] { 0.3, 0.7, 0.1 });

        Assert.Equal(baseline.Means.ToArray(), restored.Means.ToArray());
        Assert.Equal(0.05, restored.Alpha);
    }
}
