using Pipeline.Models.Anomaly.Rules;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// The parts of a <see cref="TransactionAnomalyModel"/> that come from configuration rather than
/// learning: rules, blend weights, severity cut points, explanation size, velocity window. A
/// persisted model keeps only learned state; it is restored against the configuration in force.
/// </summary>
public sealed record TransactionModelConfiguration
{
    /// <summary>The rules and their weights.</summary>
    public required RuleSetOptions Rules { get; init; }

    /// <summary>Blend weights of the HST, rule and statistical components.</summary>
    public required EnsembleOptions Ensemble { get; init; }

    /// <summary>Severity cut points (medium, high, critical), ascending in (0, 1].</summary>
    public required (double Medium, double High, double Critical) Severity { get; init; }

    /// <summary>Deviating features listed per alert.</summary>
    public required int ExplanationTopK { get; init; }

    /// <summary>The account window whose count feeds the velocity rule.</summary>
    public required TimeSpan VelocityWindow { get; init; }
}
