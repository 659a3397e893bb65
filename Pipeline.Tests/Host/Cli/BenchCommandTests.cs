using Pipeline.Host.Cli;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

/// <summary>
/// The pipeline bench run small: it must measure every record in each phase and refuse a backlog the
/// in-process broker could not keep. Rates are machine-dependent and never asserted.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Bench_should_drain_every_record_in_the_capacity_and_live_phases_and_print_the_ratio_when_run_small()
    {
        var stdout = new StringWriter();

        var exit = await BenchCommand.RunAsync(CommandLineArgs.Parse(["--count", "2000", "--partitions", "4", "--warmup", "0"]), stdout, TextWriter.Null, CancellationToken.None);

        var text = stdout.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("; 2000 records)", text); // the raw loop read the whole backlog
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(text, @"[\d,]+ records/s steady").Count); // both capacities over the run's middle
        Assert.Contains("(2000 records stored and committed in", text); // so did the pipeline
        Assert.Contains("before the raw loop's second run", text); // the pipeline ran twice too, alternating with the raw loop
        Assert.Contains("pipeline live", text);
        Assert.Contains("RATIO pipeline / raw consume = ", text);
    }

    [Fact]
    public async Task Bench_should_refuse_a_backlog_the_broker_trimmed_with_a_message_naming_the_partition()
    {
        // ~330 B per record: 30,000 records are ~10 MB on one partition, twice what the mock broker keeps.
        var error = await Assert.ThrowsAsync<CommandLineException>(() =>
            BenchCommand.RunAsync(CommandLineArgs.Parse(["--count", "30000", "--partitions", "1", "--warmup", "0"]), TextWriter.Null, TextWriter.Null, CancellationToken.None));

        Assert.Contains("dropped the oldest", error.Message);
        Assert.Contains("of partition 0", error.Message);
        Assert.Contains("--partitions", error.Message);
    }
}
