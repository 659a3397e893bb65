namespace Pipeline.Models.Anomaly.Rules;

/// <summary>Which rules run and how; a null entry disables that rule.</summary>
public sealed record RuleSetOptions
{
    /// <summary>Options of <see cref="AmountAboveRule"/>, or null to disable it.</summary>
    public AmountThresholdRuleOptions? AmountAbove { get; init; }

    /// <summary>Options of <see cref="AmountBelowRule"/>, or null to disable it.</summary>
    public AmountThresholdRuleOptions? AmountBelow { get; init; }

    /// <summary>Options of <see cref="DeviationFromAccountMeanRule"/>, or null to disable it.</summary>
    public DeviationRuleOptions? Deviation { get; init; }

    /// <summary>Options of <see cref="VelocityRule"/>, or null to disable it.</summary>
    public VelocityRuleOptions? Velocity { get; init; }

    /// <summary>Options of <see cref="NewCountryRule"/>, or null to disable it.</summary>
    public NoveltyRuleOptions? NewCountry { get; init; }

    /// <summary>Options of <see cref="NewMerchantRule"/>, or null to disable it.</summary>
    public NoveltyRuleOptions? NewMerchant { get; init; }

    /// <summary>Options of <see cref="NewDeviceRule"/>, or null to disable it.</summary>
    public NoveltyRuleOptions? NewDevice { get; init; }
}
