namespace Pipeline.Models.Anomaly;

/// <summary>
/// What the model decided for one transaction. <see cref="Reasons"/> holds the rule reason codes
/// that fired, then <c>feature:&lt;name&gt;</c> for the most deviating features (only when the
/// transaction is anomalous, so normal rows stay small). A value type: the model makes one per
/// transaction and the caller copies its parts into the stored row, so it is returned, not allocated.
/// </summary>
/// <param name="Score">Blended score in [0, 1].</param>
/// <param name="Components">The blend's parts (HST, rules, statistical).</param>
/// <param name="IsAnomaly">True when <paramref name="Score"/> is above <paramref name="Threshold"/>.</param>
/// <param name="Severity">Severity of <paramref name="Score"/>.</param>
/// <param name="Threshold">The threshold this transaction was judged by.</param>
/// <param name="Reasons">Rule reason codes, then deviating features.</param>
/// <param name="Explanation">Full explanation for anomalous transactions, else null.</param>
public readonly record struct ModelDecision(
    double Score,
    EnsembleScore Components,
    bool IsAnomaly,
    Severity Severity,
    double Threshold,
    IReadOnlyList<string> Reasons,
    Explanation? Explanation);
