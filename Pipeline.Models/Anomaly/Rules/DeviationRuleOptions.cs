namespace Pipeline.Models.Anomaly.Rules;

/// <summary>Options of <see cref="DeviationFromAccountMeanRule"/>.</summary>
public sealed record DeviationRuleOptions
{
    /// <summary>Smallest |z-score| of the amount against the account history that fires; positive.</summary>
    public required double MinZScore { get; init; }

    /// <summary>Earlier transactions the account needs before the rule may fire at all; at least 2.</summary>
    public required long MinSampleCount { get; init; }

    /// <summary>
    /// Floor for the history's standard deviation, in amount units; positive. An account that
    /// always pays the same amount has deviation 0, and a z-score against 0 would be infinite.
    /// </summary>
    public required double MinStdDev { get; init; }

    /// <summary>Weight of a firing in the rule score, in [0, 1].</summary>
    public required double Weight { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!(MinZScore > 0.0) || !double.IsFinite(MinZScore))
        {
            throw new ArgumentOutOfRangeException(nameof(MinZScore), MinZScore, "deviation min z-score must be a positive finite number");
        }

        if (MinSampleCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MinSampleCount), MinSampleCount, "deviation min sample count must be at least 2");
        }

        if (!(MinStdDev > 0.0) || !double.IsFinite(MinStdDev))
        {
            throw new ArgumentOutOfRangeException(nameof(MinStdDev), MinStdDev, "deviation min standard deviation must be a positive finite number");
        }

        RuleWeight.Validate(Weight, "deviation rule");
    }
}
