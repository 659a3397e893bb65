namespace Pipeline.Graph.Alerting;

/// <summary>
/// How a delivery attempt leaves an outbox row; applied by <see cref="IAlertStore.CompleteAsync"/> only
/// while the caller still holds the row's lease. Every completion releases the lease.
/// </summary>
/// <param name="State">The row's new state.</param>
/// <param name="At">When the attempt ended.</param>
/// <param name="CountsAsAttempt">True when the attempt adds one to <c>attempts</c>.</param>
/// <param name="NextAttemptAt">For <see cref="OutboxState.Pending"/>: when the row is due again.</param>
/// <param name="Error">What went wrong (never a URL or secret), or null.</param>
public sealed record OutboxCompletion(OutboxState State, DateTimeOffset At, bool CountsAsAttempt, DateTimeOffset? NextAttemptAt, string? Error)
{
    /// <summary>The receiver accepted the alert.</summary>
    public static OutboxCompletion Delivered(DateTimeOffset at) => new(OutboxState.Delivered, at, true, null, null);

    /// <summary>Not sent by policy (minimum severity).</summary>
    public static OutboxCompletion Skipped(DateTimeOffset at, string why) => new(OutboxState.Skipped, at, false, null, why);

    /// <summary>A failed attempt, due again at <paramref name="next"/>.</summary>
    public static OutboxCompletion Retry(DateTimeOffset at, DateTimeOffset next, string error, bool countsAsAttempt = true) =>
        new(OutboxState.Pending, at, countsAsAttempt, next, error);

    /// <summary>Not attempted (lease too short, channel paused); due again at <paramref name="next"/>, attempts unchanged.</summary>
    public static OutboxCompletion Release(DateTimeOffset at, DateTimeOffset next) => new(OutboxState.Pending, at, false, next, null);

    /// <summary>Given up.</summary>
    public static OutboxCompletion Dead(DateTimeOffset at, string error, bool countsAsAttempt = true) => new(OutboxState.Dead, at, countsAsAttempt, null, error);
}
