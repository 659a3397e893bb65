namespace Pipeline.Models.Anomaly.Rules;

/// <summary>Options of <see cref="AmountAboveRule"/> and <see cref="AmountBelowRule"/>.</summary>
public sealed record AmountThresholdRuleOptions
{
    /// <summary>The amount limit, in the transaction currency's units; positive and finite.</summary>
    public required double Threshold { get; init; }

    /// <summary>Weight of a firing in the rule score, in [0, 1].</summary>
    public required double Weight { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!(Threshold > 0.0) || !double.IsFinite(Threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "amount threshold must be a positive finite number");
        }

        RuleWeight.Validate(Weight, "amount threshold rule");
    }
}
