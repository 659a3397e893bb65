using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class OnlineMinMaxScalerTests
{
    [Fact]
    public void OnlineMinMaxScaler_should_map_to_one_half_when_fewer_than_two_distinct_values_were_seen()
    {
        var scaler = new OnlineMinMaxScaler(2);
        var before = new[] { 7.0, -3.0 };
        scaler.Transform(before);

        scaler.Learn(new[] { 5.0, 1.0 });
        scaler.Learn(new[] { 5.0, 2.0 });
        var after = new[] { 9.0, 1.5 };
        scaler.Transform(after);

        Assert.Equal(new[] { 0.5, 0.5 }, before);
        Assert.Equal(0.5, after[0]);
        Assert.Equal(0.5, after[1]);
    }

    [Fact]
    public void OnlineMinMaxScaler_should_scale_by_the_learned_range_and_clamp_when_values_fall_outside_it()
    {
        var scaler = new OnlineMinMaxScaler(1);
        foreach (var v in new[] { 10.0, 30.0, 20.0 })
        {
            scaler.Learn(new[] { v });
        }

        double Scale(double v)
        {
            var a = new[] { v };
            scaler.Transform(a);
            return a[0];
        }

        Assert.Equal(0.25, Scale(15.0));
        Assert.Equal(0.0, Scale(-100.0));
        Assert.Equal(1.0, Scale(31.0));
    }

    [Fact]
    public void OnlineMinMaxScaler_should_ignore_missing_values_when_learning_and_keep_them_missing_when_transforming()
    {
        var scaler = new OnlineMinMaxScaler(1);
        scaler.Learn(new[] { 0.0 });
        scaler.Learn(new[] { double.NaN });
        scaler.Learn(new[] { double.PositiveInfinity });
        scaler.Learn(new[] { 4.0 });
        var values = new[] { double.NaN };

        scaler.Transform(values);

        Assert.Equal(0.0, scaler.MinOf(0));
        Assert.Equal(4.0, scaler.MaxOf(0));
        Assert.True(double.IsNaN(values[0]));
    }

    [Fact]
    public void OnlineMinMaxScaler_should_keep_its_output_in_unit_range_when_fed_arbitrary_values()
    {
        var scaler = new OnlineMinMaxScaler(3);
        var random = new Random(5);

        for (var i = 0; i < 10_000; i++)
        {
            var values = new[] { random.NextDouble() * 1e6, (random.NextDouble() - 0.5) * 10, i % 3 == 0 ? double.NaN : random.Next(0, 2) };
            var raw = (double[])values.Clone();
            scaler.Transform(values);
            scaler.Learn(raw);
            Assert.All(values.Where(v => !double.IsNaN(v)), v => Assert.InRange(v, 0.0, 1.0));
        }
    }

    [Fact]
    public void OnlineMinMaxScaler_should_continue_identically_when_restored_from_a_snapshot()
    {
        var scaler = new OnlineMinMaxScaler(2);
        scaler.Learn(new[] { 1.0, double.NaN });
        scaler.Learn(new[] { 3.0, double.NaN });
        using var buffer = new MemoryStream();
        scaler.WriteTo(buffer);
        buffer.Position = 0;

        var restored = OnlineMinMaxScaler.ReadFrom(buffer);
        scaler.Learn(new[] { 5.0, 1.0 });
        restored.Learn(new[] { 5.0, 1.0 });
        var a = new[] { 2.0, 1.0 };
        var b = new[] { 2.0, 1.0 };
        scaler.Transform(a);
        restored.Transform(b);

        Assert.Equal(new[] { 0.25, 0.5 }, a);
        Assert.Equal(a, b);
    }
}
