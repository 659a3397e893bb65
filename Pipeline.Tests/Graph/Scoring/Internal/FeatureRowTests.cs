using System.Text.Json;
using Pipeline.Graph.Scoring.Internal;
using Xunit;

namespace Pipeline.Tests.Graph.Scoring.Internal;

public sealed class FeatureRowTests
{
    private static readonly string[] Names = ["amount", "count_1h", "z_score", "velocity"];

    [Fact]
    public void FeatureRow_should_keep_the_finite_values_by_name_in_model_order_when_some_are_not_finite()
    {
        var row = new FeatureRow(Names, [12.5, double.NaN, -1.25, double.PositiveInfinity]);

        Assert.Equal(2, row.Count);
        Assert.Equal(["amount", "z_score"], row.Keys);
        Assert.Equal([12.5, -1.25], row.Values);
        Assert.True(row.TryGetValue("z_score", out var z));
        Assert.Equal(-1.25, z);
        Assert.False(row.ContainsKey("count_1h"));
        Assert.False(row.TryGetValue("velocity", out _));
        Assert.Throws<KeyNotFoundException>(() => row["count_1h"]);
    }

    [Fact]
    public void FeatureRow_should_serialize_as_the_same_json_object_as_a_dictionary_when_stored()
    {
        double[] values = [3, 1, 0.5, 2];
        var row = new FeatureRow(Names, values);
        var dictionary = Names.Zip(values).ToDictionary(p => p.First, p => p.Second);

        Assert.Equal(JsonSerializer.Serialize<IReadOnlyDictionary<string, double>>(dictionary), JsonSerializer.Serialize<IReadOnlyDictionary<string, double>>(row));
        Assert.Equal(2, row["velocity"]);
    }

    [Fact]
    public void FeatureRow_should_not_change_when_the_caller_reuses_its_value_buffer()
    {
        var buffer = new double[] { 1, 2, 3, 4 };
        var row = new FeatureRow(Names, buffer);

        buffer[0] = 99;

        Assert.Equal(1, row["amount"]);
    }
}
