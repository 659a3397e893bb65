using Pipeline.Host.Cli;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

public sealed class ModelBenchmarkTests
{
    [Fact]
    public void RunHst_should_measure_both_configurations_without_allocating_per_operation()
    {
        var output = new StringWriter();

        var figures = ModelBenchmark.RunHst(output, TimeSpan.FromMilliseconds(150));

        Assert.Equal(["hst 10x8x250", "hst 25x15x250"], figures.Select(f => f.Name));
        Assert.All(figures, f => Assert.True(f.OpsPerSecond > 0, $"{f.Name}: {f.OpsPerSecond}"));
        Assert.All(figures, f => Assert.Equal(0.0, f.BytesAllocatedPerOp));
        Assert.Contains("hst 25x15x250:", output.ToString());
        Assert.Contains("score+learn/s", output.ToString());
    }

    [Fact]
    public void RunHst_should_reject_a_budget_that_is_not_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelBenchmark.RunHst(TextWriter.Null, TimeSpan.Zero));
    }
}
