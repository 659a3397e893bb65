namespace Pipeline.Graph.Alerting;

/// <summary>An alert as an operator looks it up: what was raised, and where each channel's delivery stands.</summary>
/// <param name="AlertId">The alert's id (the dedupe key on redelivery).</param>
/// <param name="TransactionId">The flagged transaction (an id, never card or personal data).</param>
/// <param name="CreatedAt">When the alert was raised.</param>
/// <param name="Severity">LOW, MEDIUM, HIGH or CRITICAL.</param>
/// <param name="Score">The anomaly score in [0, 1].</param>
/// <param name="Reasons">Rules that fired and the most deviating features.</param>
/// <param name="Delivery">Each channel's outbox state, by channel name (<c>console: delivered, slack: pending</c>); empty with no channel.</param>
public sealed record RecentAlert(Guid AlertId, string TransactionId, DateTimeOffset CreatedAt, string Severity, double Score, IReadOnlyList<string> Reasons, string Delivery);
