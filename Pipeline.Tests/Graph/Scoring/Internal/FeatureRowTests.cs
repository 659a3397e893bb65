using System.Text.Json;
using Pipeline.Graph.Scoring.Internal;
using Pipeline.Models.Features;
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

    [Fact]
    public void FeatureRow_should_read_the_account_features_by_name_in_dense_order_only_when_first_read()
    {
        // The account's second transaction: every feature has a value.
        var options = Pipeline.Tests.Models.Features.FeatureTestData.Options();
        var state = new AccountState(options);
        state.Process(Pipeline.Tests.Models.Features.FeatureTestData.Tx(Pipeline.Tests.Models.Features.FeatureTestData.Start, 10), Pipeline.Tests.Models.Features.FeatureTestData.At(0));
        var features = state.Process(Pipeline.Tests.Models.Features.FeatureTestData.Tx(Pipeline.Tests.Models.Features.FeatureTestData.Start.AddMinutes(1), 42.5), Pipeline.Tests.Models.Features.FeatureTestData.At(1));
        var names = AccountFeatures.Names(features.Windows.Select(w => w.Length).ToArray());
        var dense = new double[features.FeatureCount];
        features.WriteTo(dense);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var row = new FeatureRow(names, features);
        var built = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(built < 100, $"building the row allocated {built} B: its values were copied before anyone read them");
        Assert.Equal(names.Where((_, i) => double.IsFinite(dense[i])), row.Keys);
        Assert.Equal(dense.Where(double.IsFinite), row.Values);
        Assert.Equal(features.Amount, row["amount"]);
    }
}
