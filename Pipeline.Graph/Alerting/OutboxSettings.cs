using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting;

/// <summary>Claiming and retrying outbox rows, read from <c>pipeline.alerting.outbox</c>.</summary>
public sealed record OutboxSettings
{
    /// <summary><c>poll-interval</c>: wait after finding nothing due.</summary>
    public required TimeSpan PollInterval { get; init; }

    /// <summary><c>batch</c>: most rows claimed at once.</summary>
    public required int Batch { get; init; }

    /// <summary><c>lease</c>: how long a claim holds a row.</summary>
    public required TimeSpan Lease { get; init; }

    /// <summary><c>parallelism</c>: posts in flight at once per channel.</summary>
    public required int Parallelism { get; init; }

    /// <summary><c>max-attempts</c>: failed attempts before a row is dead.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary><c>min-backoff</c>, <c>max-backoff</c>, <c>random-factor</c>: retry delays after a failed attempt.</summary>
    public required Backoff Retry { get; init; }
}
