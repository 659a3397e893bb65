namespace Pipeline.Models.Anomaly.Rules;

/// <summary>Options of <see cref="VelocityRule"/>.</summary>
public sealed record VelocityRuleOptions
{
    /// <summary>Most transactions allowed in the velocity window (this one included) before the rule fires; at least 1.</summary>
    public required int MaxCount { get; init; }

    /// <summary>Weight of a firing in the rule score, in [0, 1].</summary>
    public required double Weight { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (MaxCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCount), MaxCount, "velocity max count must be at least 1");
        }

        RuleWeight.Validate(Weight, "velocity rule");
    }
}
