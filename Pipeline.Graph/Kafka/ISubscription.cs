namespace Pipeline.Graph.Kafka;

/// <summary>What a consumer source reads: topics managed by the group, or a fixed assignment. Build one with <see cref="Subscriptions"/>.</summary>
public interface ISubscription
{
    /// <summary>A one-line description for logs and status.</summary>
    string Describe();
}
