using Akka.Streams;
using Akka.Streams.Dsl;
using Xunit;

namespace Pipeline.Tests.TestKit;

public sealed class PublisherProbeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task SendNextAsync_should_deliver_elements_in_order_when_the_stream_requests_them()
    {
        var (source, sink) = TestSource.Probe<int>(this)
            .Select(x => x * 10)
            .ToMaterialized(TestSink.Probe<int>(this), Keep.Both)
            .Run(Sys.Materializer());

        await sink.RequestAsync(3);
        await source.SendNextAsync([1, 2, 3]);
        await sink.ExpectNextNAsync([10, 20, 30]);
        await source.SendCompleteAsync();

        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task ExpectRequestAsync_should_see_demand_stop_when_a_bounded_buffer_is_full_and_resume_when_downstream_pulls()
    {
        // Input buffers of one make every boundary request exactly one element at a time.
        var (source, sink) = TestSource.Probe<int>(this)
            .Buffer(2, OverflowStrategy.Backpressure)
            .ToMaterialized(TestSink.Probe<int>(this), Keep.Both)
            .WithAttributes(Attributes.CreateInputBuffer(1, 1))
            .Run(Sys.Materializer());

        // Two elements fill the buffer and one waits at the boundary; then demand must stop.
        await source.SendNextAsync([1, 2, 3]);
        await source.ExpectNoMsgAsync(Quiet);

        await sink.RequestAsync(1);
        await sink.ExpectNextAsync(1);
        await source.ExpectRequestAsync(1);
        await source.SendCompleteAsync();
        await sink.RequestAsync(2);
        await sink.ExpectNextNAsync([2, 3]);
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task ExpectCancellationAsync_should_observe_cancellation_when_downstream_cancels()
    {
        var (source, sink) = TestSource.Probe<string>(this)
            .ToMaterialized(TestSink.Probe<string>(this), Keep.Both)
            .Run(Sys.Materializer());

        await sink.RequestAsync(1);
        await source.SendNextAsync("a");
        await sink.ExpectNextAsync("a");
        await sink.CancelAsync();

        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task SendErrorAsync_should_fail_the_stream_with_the_same_exception()
    {
        var (source, sink) = TestSource.Probe<int>(this)
            .Select(x => x + 1)
            .ToMaterialized(TestSink.Probe<int>(this), Keep.Both)
            .Run(Sys.Materializer());
        var boom = new InvalidOperationException("boom");

        await sink.RequestAsync(1);
        await source.SendErrorAsync(boom);

        Assert.Same(boom, await sink.ExpectErrorAsync());
    }

    [Fact]
    public async Task ExpectRequestAsync_should_fail_when_the_stream_cancels_instead()
    {
        var (source, sink) = TestSource.Probe<int>(this)
            .ToMaterialized(TestSink.Probe<int>(this), Keep.Both)
            .Run(Sys.Materializer());

        await sink.CancelAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => source.ExpectRequestAsync());
    }
}
