using Akka.Actor;
using Akka.TestKit;
using Reactive.Streams;
using Xunit;

namespace Pipeline.Tests.TestKit;

/// <summary>
/// A Reactive Streams publisher driven by the test: it records the stream's requests and
/// cancellation in a <see cref="TestProbe"/> and sends elements only against demand. Create it
/// with <see cref="TestSource.Probe{T}"/>; it accepts one subscriber, so materialize its source once.
/// </summary>
public sealed class PublisherProbe<T> : IPublisher<T>
{
    private readonly TestProbe _probe;
    private ISubscriber<T>? _subscriber;
    private bool _subscriptionSeen;
    private long _pendingDemand;

    internal PublisherProbe(TestKitBase kit) => _probe = kit.CreateTestProbe();

    private interface ISignal;

    /// <summary>Demand the test has observed and not yet used up by sending elements.</summary>
    public long PendingDemand => _pendingDemand;

    /// <inheritdoc />
    public void Subscribe(ISubscriber<T> subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        if (Interlocked.CompareExchange(ref _subscriber, subscriber, null) is not null)
        {
            subscriber.OnSubscribe(new Subscription(null));
            subscriber.OnError(new InvalidOperationException("a publisher probe accepts a single subscriber; materialize its source once"));
            return;
        }

        // Recorded before OnSubscribe so the subscription precedes any request the stream makes.
        _probe.Ref.Tell(new Subscribed());
        subscriber.OnSubscribe(new Subscription(_probe.Ref));
    }

    /// <summary>Waits until the stream has subscribed.</summary>
    public async Task ExpectSubscriptionAsync(TimeSpan? timeout = null)
    {
        if (_subscriptionSeen) return;
        await _probe.ExpectMsgAsync<Subscribed>(timeout, "the stream to subscribe to the publisher probe");
        _subscriptionSeen = true;
    }

    /// <summary>Expects the next signal to be a request and returns its count (the demand is remembered for <see cref="SendNextAsync(T,TimeSpan?)"/>).</summary>
    public async Task<long> ExpectRequestAsync(TimeSpan? timeout = null)
    {
        await ExpectSubscriptionAsync(timeout);
        var signal = await _probe.ExpectMsgAsync<ISignal>(timeout, "a request from the stream");
        if (signal is not RequestMore request)
        {
            Assert.Fail($"expected a request from the stream but got {signal}");
            return 0;
        }

        _pendingDemand += request.Count;
        return request.Count;
    }

    /// <summary>Expects a request of exactly <paramref name="count"/>.</summary>
    public async Task ExpectRequestAsync(long count, TimeSpan? timeout = null) =>
        Assert.Equal(count, await ExpectRequestAsync(timeout));

    /// <summary>Sends one element, first waiting for a request when no demand is left.</summary>
    public async Task SendNextAsync(T element, TimeSpan? timeout = null)
    {
        await ExpectSubscriptionAsync(timeout);
        if (_pendingDemand == 0) await ExpectRequestAsync(timeout);
        _pendingDemand--;
        _subscriber!.OnNext(element);
    }

    /// <summary>Sends the elements in order, each against demand.</summary>
    public async Task SendNextAsync(IEnumerable<T> elements, TimeSpan? timeout = null)
    {
        foreach (var element in elements) await SendNextAsync(element, timeout);
    }

    /// <summary>Completes the stream from the publisher's side.</summary>
    public async Task SendCompleteAsync(TimeSpan? timeout = null)
    {
        await ExpectSubscriptionAsync(timeout);
        _subscriber!.OnComplete();
    }

    /// <summary>Fails the stream from the publisher's side.</summary>
    public async Task SendErrorAsync(Exception cause, TimeSpan? timeout = null)
    {
        await ExpectSubscriptionAsync(timeout);
        _subscriber!.OnError(cause);
    }

    /// <summary>Expects the stream to cancel its subscription; requests before it are skipped.</summary>
    public async Task ExpectCancellationAsync(TimeSpan? timeout = null)
    {
        await ExpectSubscriptionAsync(timeout);
        await _probe.FishForMessageAsync<ISignal>(
            signal => signal switch
            {
                Cancelled => true,
                RequestMore => false,
                _ => throw new InvalidOperationException($"expected the stream to cancel but got {signal}"),
            },
            timeout,
            "the stream to cancel its subscription");
    }

    /// <summary>Expects no request and no cancellation for <paramref name="duration"/>.</summary>
    public async Task ExpectNoMsgAsync(TimeSpan duration) => await _probe.ExpectNoMsgAsync(duration);

    private sealed record Subscribed : ISignal;

    private sealed record RequestMore(long Count) : ISignal;

    private sealed record Cancelled : ISignal;

    private sealed class Subscription(IActorRef? probe) : ISubscription
    {
        public void Request(long n) => probe?.Tell(new RequestMore(n));

        public void Cancel() => probe?.Tell(new Cancelled());
    }
}
