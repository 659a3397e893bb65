using Akka.Actor;
using Akka.TestKit;
using Reactive.Streams;
using Xunit;

namespace Pipeline.Tests.TestKit;

/// <summary>
/// A Reactive Streams subscriber driven by the test: it signals demand only when asked
/// (<see cref="RequestAsync"/>) and records every element, completion and error in a
/// <see cref="TestProbe"/> for the <c>Expect…</c> methods. Create it with <see cref="TestSink.Probe{T}"/>;
/// materialize its sink once.
/// </summary>
public sealed class SubscriberProbe<T> : ISubscriber<T>
{
    private readonly TestProbe _probe;
    private ISubscription? _subscription;

    internal SubscriberProbe(TestKitBase kit) => _probe = kit.CreateTestProbe();

    private interface ISignal;

    /// <inheritdoc />
    public void OnSubscribe(ISubscription subscription) => _probe.Ref.Tell(new Subscribed(subscription));

    /// <inheritdoc />
    public void OnNext(T element) => _probe.Ref.Tell(new Next(element));

    /// <inheritdoc />
    public void OnError(Exception cause) => _probe.Ref.Tell(new Failed(cause));

    /// <inheritdoc />
    public void OnComplete() => _probe.Ref.Tell(new Completed());

    /// <summary>Waits until the stream has subscribed and returns the subscription.</summary>
    public async Task<ISubscription> ExpectSubscriptionAsync(TimeSpan? timeout = null)
    {
        if (_subscription is null)
        {
            var subscribed = await _probe.ExpectMsgAsync<Subscribed>(timeout, "the stream to subscribe the subscriber probe");
            _subscription = subscribed.Subscription;
        }

        return _subscription;
    }

    /// <summary>Signals demand for <paramref name="count"/> more elements.</summary>
    public async Task RequestAsync(long count)
    {
        var subscription = await ExpectSubscriptionAsync();
        subscription.Request(count);
    }

    /// <summary>Cancels the subscription, as a downstream that needs no more elements.</summary>
    public async Task CancelAsync()
    {
        var subscription = await ExpectSubscriptionAsync();
        subscription.Cancel();
    }

    /// <summary>Requests one element and returns it.</summary>
    public async Task<T> RequestNextAsync(TimeSpan? timeout = null)
    {
        await RequestAsync(1);
        return await ExpectNextAsync(timeout);
    }

    /// <summary>Expects the next signal to be an element and returns it.</summary>
    public async Task<T> ExpectNextAsync(TimeSpan? timeout = null)
    {
        var signal = await NextSignalAsync(timeout, "an element");
        if (signal is Next next) return next.Element;
        Assert.Fail($"expected an element but got {signal}");
        return default!;
    }

    /// <summary>Expects the next signal to be <paramref name="expected"/>.</summary>
    public async Task ExpectNextAsync(T expected, TimeSpan? timeout = null) =>
        Assert.Equal(expected, await ExpectNextAsync(timeout));

    /// <summary>Expects the next <paramref name="count"/> signals to be elements and returns them in order.</summary>
    public async Task<IReadOnlyList<T>> ExpectNextNAsync(long count, TimeSpan? timeout = null)
    {
        var elements = new List<T>();
        for (var i = 0L; i < count; i++) elements.Add(await ExpectNextAsync(timeout));
        return elements;
    }

    /// <summary>Expects exactly these elements next, in this order.</summary>
    public async Task ExpectNextNAsync(IEnumerable<T> expected, TimeSpan? timeout = null)
    {
        var wanted = expected.ToList();
        Assert.Equal(wanted, await ExpectNextNAsync(wanted.Count, timeout));
    }

    /// <summary>Expects the stream to complete next.</summary>
    public async Task ExpectCompleteAsync(TimeSpan? timeout = null)
    {
        var signal = await NextSignalAsync(timeout, "completion");
        if (signal is not Completed) Assert.Fail($"expected completion but got {signal}");
    }

    /// <summary>Expects the stream to fail next and returns the cause.</summary>
    public async Task<Exception> ExpectErrorAsync(TimeSpan? timeout = null)
    {
        var signal = await NextSignalAsync(timeout, "an error");
        if (signal is Failed failed) return failed.Cause;
        Assert.Fail($"expected an error but got {signal}");
        return null!;
    }

    /// <summary>Expects no element, completion or error for <paramref name="duration"/>.</summary>
    public async Task ExpectNoMsgAsync(TimeSpan duration)
    {
        await ExpectSubscriptionAsync();
        await _probe.ExpectNoMsgAsync(duration);
    }

    /// <summary>Requests everything and collects the elements until the stream completes; fails if it errors.</summary>
    public async Task<IReadOnlyList<T>> ToStrictAsync(TimeSpan atMost)
    {
        await RequestAsync(long.MaxValue);
        var deadline = DateTime.UtcNow + atMost;
        var elements = new List<T>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) left = TimeSpan.FromMilliseconds(1);
            switch (await NextSignalAsync(left, "an element or completion"))
            {
                case Next next:
                    elements.Add(next.Element);
                    break;
                case Completed:
                    return elements;
                case var other:
                    Assert.Fail($"expected an element or completion but got {other} after {elements.Count} elements");
                    break;
            }
        }
    }

    private async Task<ISignal> NextSignalAsync(TimeSpan? timeout, string what)
    {
        await ExpectSubscriptionAsync(timeout);
        return await _probe.ExpectMsgAsync<ISignal>(timeout, what);
    }

    private sealed record Subscribed(ISubscription Subscription);

    private sealed record Next(T Element) : ISignal;

    private sealed record Failed(Exception Cause) : ISignal;

    private sealed record Completed : ISignal;
}
