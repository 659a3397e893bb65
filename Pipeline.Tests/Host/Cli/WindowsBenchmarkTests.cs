using Pipeline.Graph.Windows;
using Pipeline.Host.Cli;
using Xunit;
using static Pipeline.Tests.Graph.Windows.WindowsTestKit;

namespace Pipeline.Tests.Host.Cli;

public sealed class WindowsBenchmarkTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task RunAsync_should_featurize_every_event_and_checkpoint_the_accounts_when_run_small()
    {
        var output = new StringWriter();

        var result = await WindowsBenchmark.RunAsync(output, Sys, Settings() with { Store = FeatureStoreKind.Memory }, accounts: 300, eventsPerDay: 3000, passes: 2, CancellationToken.None);

        Assert.Equal(6000, result.FlowEmitted); // both days, nothing lost or held back
        Assert.InRange(result.FlowCheckpointed, 300, 6000); // every account written at least once, at most once per event
        Assert.All([result.Process, result.ProcessColdStart, result.Flow, result.FlowYoung, result.FlowColdStart], f => Assert.True(f.OpsPerSecond > 0, $"{f}"));
        Assert.True(result.Flow.BytesAllocatedPerOp > 0, $"{result.Flow}"); // each event yields a featured element
        var text = output.ToString();
        Assert.Contains("AccountState.Process, steady", text);
        Assert.Contains("AccountWindowsFlow, cold start", text);
        Assert.Contains("AccountWindowsFlow, steady, young", text);
        Assert.Contains("state per account", text);
        Assert.Contains("ratio to 1,000,000 events/s", text);
    }

    [Fact]
    public async Task Bench_should_run_the_windows_mode_and_print_its_figures_when_given_the_windows_flag()
    {
        var stdout = new StringWriter();

        var exit = await BenchCommand.RunAsync(CommandLineArgs.Parse(["--windows", "--accounts", "100", "--events-per-day", "1000", "--passes", "1"]), stdout, TextWriter.Null, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains("100 accounts, 1,000 transactions per simulated day", stdout.ToString());
        Assert.Contains("2,000 of 2,000 featurized", stdout.ToString());
    }

    [Fact]
    public async Task RunAsync_should_reject_an_empty_workload()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => WindowsBenchmark.RunAsync(TextWriter.Null, Sys, Settings(), accounts: 0, eventsPerDay: 10, passes: 1, CancellationToken.None));
    }
}
