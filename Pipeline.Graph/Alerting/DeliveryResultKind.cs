namespace Pipeline.Graph.Alerting;

/// <summary>How one post of an alert to a receiver ended.</summary>
public enum DeliveryResultKind
{
    /// <summary>Accepted (2xx, or written for the console).</summary>
    Delivered = 0,

    /// <summary>Worth retrying: 5xx, 408, a timeout or a network error.</summary>
    Transient = 1,

    /// <summary>HTTP 429: the receiver asks to wait (<see cref="DeliveryResult.RetryAfter"/>).</summary>
    RateLimited = 2,

    /// <summary>The same request will never succeed (other 4xx): the row is given up.</summary>
    Permanent = 3,
}
