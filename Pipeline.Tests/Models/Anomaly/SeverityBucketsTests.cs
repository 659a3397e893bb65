using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class SeverityBucketsTests
{
    [Theory]
    [InlineData(0.0, Severity.Low)]
    [InlineData(0.59, Severity.Low)]
    [InlineData(0.6, Severity.Medium)]
    [InlineData(0.75, Severity.High)]
    [InlineData(0.899, Severity.High)]
    [InlineData(0.9, Severity.Critical)]
    [InlineData(1.0, Severity.Critical)]
    public void SeverityBuckets_should_put_each_cut_point_in_the_upper_bucket_when_classifying(double score, Severity expected)
    {
        var buckets = new SeverityBuckets(0.6, 0.75, 0.9);

        Assert.Equal(expected, buckets.Classify(score));
    }

    [Theory]
    [InlineData(0.8, 0.7, 0.9, "high")]
    [InlineData(0.6, 0.75, 0.75, "critical")]
    [InlineData(0.0, 0.75, 0.9, "medium")]
    [InlineData(0.6, 0.75, 1.1, "critical")]
    public void SeverityBuckets_should_name_the_cut_point_when_they_are_not_ascending(double medium, double high, double critical, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SeverityBuckets(medium, high, critical));

        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void SeverityBuckets_should_give_upper_case_wire_names()
    {
        Assert.Equal(
            new[] { "LOW", "MEDIUM", "HIGH", "CRITICAL" },
            Enum.GetValues<Severity>().Select(SeverityBuckets.WireName));
    }
}
