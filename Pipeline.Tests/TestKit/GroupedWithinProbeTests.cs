using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Xunit;

namespace Pipeline.Tests.TestKit;

/// <summary>The probes driving a timer-based stage on virtual time (Akka.TestKit's TestScheduler).</summary>
public sealed class GroupedWithinProbeTests() : Akka.TestKit.Xunit2.TestKit("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task GroupedWithin_should_emit_the_partial_group_exactly_when_the_virtual_interval_ends()
    {
        var (source, sink) = TestSource.Probe<int>(this)
            .GroupedWithin(100, TimeSpan.FromSeconds(1))
            .Select(group => group.ToArray())
            .ToMaterialized(TestSink.Probe<int[]>(this), Keep.Both)
            .Run(Sys.Materializer());
        await sink.RequestAsync(10);
        // The first request proves the stage started, so its timer is registered before time moves.
        await source.SendNextAsync([1, 2, 3]);

        Scheduler.Advance(TimeSpan.FromMilliseconds(999));
        await sink.ExpectNoMsgAsync(Quiet);
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(new[] { 1, 2, 3 }, await sink.ExpectNextAsync());
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task GroupedWithin_should_emit_a_full_group_without_waiting_for_the_interval()
    {
        var (source, sink) = TestSource.Probe<int>(this)
            .GroupedWithin(3, TimeSpan.FromSeconds(1))
            .Select(group => group.ToArray())
            .ToMaterialized(TestSink.Probe<int[]>(this), Keep.Both)
            .Run(Sys.Materializer());
        await sink.RequestAsync(10);

        await source.SendNextAsync([1, 2, 3, 4]);

        Assert.Equal(new[] { 1, 2, 3 }, await sink.ExpectNextAsync());
        await source.SendCompleteAsync();
        Assert.Equal(new[] { 4 }, await sink.ExpectNextAsync());
        await sink.ExpectCompleteAsync();
    }
}
