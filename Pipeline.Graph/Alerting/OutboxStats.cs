namespace Pipeline.Graph.Alerting;

/// <summary>The waiting rows of one channel's outbox.</summary>
/// <param name="Depth">Rows in state pending.</param>
/// <param name="OldestPendingCreatedAt">Creation time of the oldest of them, or null when there are none.</param>
public sealed record OutboxStats(long Depth, DateTimeOffset? OldestPendingCreatedAt);
