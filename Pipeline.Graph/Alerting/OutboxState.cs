namespace Pipeline.Graph.Alerting;

/// <summary>The delivery state of one outbox row (<c>alert_outbox.state</c>).</summary>
public enum OutboxState
{
    /// <summary>Waiting for delivery (possibly leased, possibly scheduled for a retry at <c>next_attempt_at</c>).</summary>
    Pending = 0,

    /// <summary>The receiver accepted it.</summary>
    Delivered = 1,

    /// <summary>Not sent: below the channel's minimum severity.</summary>
    Skipped = 2,

    /// <summary>Given up after a permanent error or <c>max-attempts</c>; kept with its last error for an operator.</summary>
    Dead = 3,
}
