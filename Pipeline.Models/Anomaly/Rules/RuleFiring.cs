namespace Pipeline.Models.Anomaly.Rules;

/// <summary>
/// One rule that fired for a transaction: a stable reason code for machines (dashboards, cooldown
/// keys, the <c>reasons</c> column), a sentence for people, and the numbers behind the decision.
/// </summary>
/// <param name="ReasonCode">Stable snake_case code such as <c>amount_above_threshold</c>; never reworded.</param>
/// <param name="Message">Human-readable explanation with the values, invariant culture.</param>
/// <param name="Observed">The value the rule measured (amount, z-score, count, or history size for novelty rules).</param>
/// <param name="Limit">The configured limit the observed value was compared with.</param>
/// <param name="Weight">The rule's configured weight in [0, 1], used by <see cref="Pipeline.Models.Anomaly.EnsembleScorer"/>.</param>
public sealed record RuleFiring(string ReasonCode, string Message, double Observed, double Limit, double Weight);
