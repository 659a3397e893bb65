using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Xunit;

namespace Pipeline.Tests.TestKit;

public sealed class SubscriberProbeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task ExpectNoMsgAsync_should_pass_when_nothing_was_requested_and_elements_flow_once_requested()
    {
        var sink = Source.From([1, 2, 3]).Select(x => x * 2).RunWith(TestSink.Probe<int>(this), Sys.Materializer());

        await sink.ExpectNoMsgAsync(Quiet);
        Assert.Equal(2, await sink.RequestNextAsync());
        await sink.RequestAsync(2);

        await sink.ExpectNextNAsync([4, 6]);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task ExpectNextAsync_should_fail_naming_the_signal_when_the_stream_completed_instead()
    {
        var sink = Source.Empty<int>().RunWith(TestSink.Probe<int>(this), Sys.Materializer());

        await sink.RequestAsync(1);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => sink.ExpectNextAsync());

        Assert.Contains("Completed", failure.Message);
    }

    [Fact]
    public async Task ExpectNoMsgAsync_should_fail_when_an_element_arrives()
    {
        var sink = Source.Single("x").RunWith(TestSink.Probe<string>(this), Sys.Materializer());

        await sink.RequestAsync(1);

        await Assert.ThrowsAnyAsync<Exception>(() => sink.ExpectNoMsgAsync(Quiet));
    }

    [Fact]
    public async Task ToStrictAsync_should_collect_every_element_until_completion()
    {
        var sink = Source.From(Enumerable.Range(1, 100)).Where(x => x % 3 == 0).RunWith(TestSink.Probe<int>(this), Sys.Materializer());

        var all = await sink.ToStrictAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(Enumerable.Range(1, 100).Where(x => x % 3 == 0), all);
    }

    [Fact]
    public async Task ExpectErrorAsync_should_return_the_failure_of_a_failing_stage()
    {
        var sink = Source.From([1, 0]).Select(x => 10 / x).RunWith(TestSink.Probe<int>(this), Sys.Materializer());

        await sink.RequestAsync(2);
        await sink.ExpectNextAsync(10);

        Assert.IsType<DivideByZeroException>(await sink.ExpectErrorAsync());
    }

    [Fact]
    public async Task CancelAsync_should_cancel_upstream_when_the_probe_needs_no_more()
    {
        var (source, sink) = TestSource.Probe<int>(this)
            .Select(x => x)
            .ToMaterialized(TestSink.Probe<int>(this), Keep.Both)
            .Run(Sys.Materializer());

        await sink.CancelAsync();

        await source.ExpectCancellationAsync();
    }
}
