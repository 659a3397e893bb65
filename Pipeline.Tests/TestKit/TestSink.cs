using Akka.Streams.Dsl;
using Akka.TestKit;

namespace Pipeline.Tests.TestKit;

/// <summary>Sinks whose demand the test controls and whose signals it asserts (our stand-in for Akka.Streams.TestKit's).</summary>
public static class TestSink
{
    /// <summary>A sink that materializes a <see cref="SubscriberProbe{T}"/>; materialize it once.</summary>
    public static Sink<T, SubscriberProbe<T>> Probe<T>(TestKitBase kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        var probe = new SubscriberProbe<T>(kit);
        return Sink.FromSubscriber(probe).MapMaterializedValue(_ => probe);
    }
}
