namespace Pipeline.Graph.Alerting;

/// <summary>The answer of a channel to one post.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Error">What went wrong, for <c>alert_outbox.last_error</c> and logs — status, timeout or network error class, never a URL or secret; null when delivered.</param>
/// <param name="RetryAfter">For <see cref="DeliveryResultKind.RateLimited"/>: the wait the receiver asked for (Retry-After), or null when it gave none.</param>
public sealed record DeliveryResult(DeliveryResultKind Kind, string? Error = null, TimeSpan? RetryAfter = null)
{
    /// <summary>Accepted.</summary>
    public static readonly DeliveryResult Delivered = new(DeliveryResultKind.Delivered);
}
