using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class FixedLimitsScalerTests
{
    [Fact]
    public void FixedLimitsScaler_should_map_linearly_and_clamp_when_values_leave_the_limits()
    {
        var scaler = new FixedLimitsScaler(new[] { (0.0, 10.0), (-1.0, 1.0), (100.0, 200.0) });
        var values = new[] { 2.5, 3.0, 50.0 };

        scaler.Transform(values);

        Assert.Equal(new[] { 0.25, 1.0, 0.0 }, values);
    }

    [Fact]
    public void FixedLimitsScaler_should_keep_nan_as_missing_when_transforming()
    {
        var scaler = new FixedLimitsScaler(new[] { (0.0, 1.0), (0.0, 1.0) });
        var values = new[] { double.NaN, double.PositiveInfinity };

        scaler.Transform(values);

        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(1.0, values[1]);
    }

    [Fact]
    public void FixedLimitsScaler_should_keep_its_output_in_unit_range_when_fed_arbitrary_values()
    {
        var scaler = new FixedLimitsScaler(new[] { (-5.0, 5.0), (0.0, 1e6) });
        var random = new Random(11);

        for (var i = 0; i < 10_000; i++)
        {
            var values = new[] { (random.NextDouble() - 0.5) * 1e3, (random.NextDouble() - 0.2) * 1e7 };
            scaler.Learn(values);
            scaler.Transform(values);
            Assert.All(values, v => Assert.InRange(v, 0.0, 1.0));
        }
    }

    [Fact]
    public void FixedLimitsScaler_should_name_the_feature_when_its_limits_are_not_ascending()
    {
        var e = Assert.Throws<ArgumentException>(() => new FixedLimitsScaler(new[] { (0.0, 1.0), (3.0, 3.0) }));

        Assert.Contains("feature 1", e.Message);
    }

    [Fact]
    public void FixedLimitsScaler_should_reject_a_vector_when_its_length_differs_from_the_feature_count()
    {
        var scaler = new FixedLimitsScaler(new[] { (0.0, 1.0) });

        Assert.Throws<ArgumentException>(() => scaler.Transform(new double[2]));
    }

    [Fact]
    public void FixedLimitsScaler_should_scale_identically_when_restored_through_the_interface()
    {
        var scaler = new FixedLimitsScaler(new[] { (0.0, 8.0), (1.0, 3.0) });
        using var buffer = new MemoryStream();
        scaler.WriteTo(buffer);
        buffer.Position = 0;

        var restored = IFeatureScaler.ReadFrom(buffer);
        var a = new[] { 2.0, 2.5 };
        var b = new[] { 2.0, 2.5 };
        scaler.Transform(a);
        restored.Transform(b);

        Assert.IsType<FixedLimitsScaler>(restored);
        Assert.Equal(a, b);
    }

    [Fact]
    public void FixedLimitsScaler_should_refuse_a_snapshot_when_it_holds_another_scaler_kind()
    {
        using var buffer = new MemoryStream();
        new OnlineMinMaxScaler(2).WriteTo(buffer);
        buffer.Position = 0;

        Assert.Throws<InvalidDataException>(() => FixedLimitsScaler.ReadFrom(buffer));
    }
}
