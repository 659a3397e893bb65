using Akka.Streams.Dsl;
using Akka.TestKit;

namespace Pipeline.Tests.TestKit;

/// <summary>Sources whose elements, completion and failure the test sends by hand (our stand-in for Akka.Streams.TestKit's).</summary>
public static class TestSource
{
    /// <summary>A source that materializes a <see cref="PublisherProbe{T}"/>; materialize it once.</summary>
    public static Source<T, PublisherProbe<T>> Probe<T>(TestKitBase kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        var probe = new PublisherProbe<T>(kit);
        return Source.FromPublisher(probe).MapMaterializedValue(_ => probe);
    }
}
