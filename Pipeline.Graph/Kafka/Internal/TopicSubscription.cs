namespace Pipeline.Graph.Kafka.Internal;

/// <summary>Group-managed subscription to topics (or one <c>^</c>-prefixed pattern).</summary>
internal sealed record TopicSubscription(IReadOnlyList<string> Topics) : ISubscription
{
    public string Describe() => $"topics [{string.Join(", ", Topics)}]";
}
