namespace Pipeline.Host.Inspector;

/// <summary>One alert raised for an anomalous transaction, for <c>alerts tail</c> and the status page.</summary>
/// <param name="At">When it was raised.</param>
/// <param name="TransactionId">The flagged transaction (an id, never card or personal data).</param>
/// <param name="Severity">LOW, MEDIUM, HIGH or CRITICAL.</param>
/// <param name="Score">The anomaly score in [0, 1].</param>
/// <param name="Reasons">Reason codes: rules that fired, most deviating features.</param>
/// <param name="Delivery">Where it went and whether it arrived, e.g. <c>console</c>, <c>slack: delivered</c>.</param>
public sealed record AlertInfo(DateTimeOffset At, string TransactionId, string Severity, double Score, IReadOnlyList<string> Reasons, string Delivery);
