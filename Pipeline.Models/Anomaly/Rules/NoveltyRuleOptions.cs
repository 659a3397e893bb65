namespace Pipeline.Models.Anomaly.Rules;

/// <summary>Options of the novelty rules: <see cref="NewCountryRule"/>, <see cref="NewMerchantRule"/>, <see cref="NewDeviceRule"/>.</summary>
public sealed record NoveltyRuleOptions
{
    /// <summary>
    /// Earlier transactions the account needs before novelty counts, at least 1: for a young
    /// account everything is new, which says nothing.
    /// </summary>
    public required long MinHistoryCount { get; init; }

    /// <summary>Weight of a firing in the rule score, in [0, 1].</summary>
    public required double Weight { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (MinHistoryCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinHistoryCount), MinHistoryCount, "novelty min history count must be at least 1");
        }

        RuleWeight.Validate(Weight, "novelty rule");
    }
}
