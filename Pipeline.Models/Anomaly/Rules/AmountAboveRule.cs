using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pipeline.Models.Anomaly.Rules;

/// <summary>Fires when the amount is strictly above a fixed limit.</summary>
public sealed class AmountAboveRule : IRule
{
    /// <summary>Reason code of this rule.</summary>
    public const string Code = "amount_above_threshold";

    private readonly AmountThresholdRuleOptions _options;

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public AmountAboveRule(AmountThresholdRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string ReasonCode => Code;

    /// <inheritdoc />
    public bool TryEvaluate(in TransactionContext context, [NotNullWhen(true)] out RuleFiring? firing)
    {
        if (!(context.Amount > _options.Threshold))
        {
            firing = null;
            return false;
        }

        firing = new RuleFiring(
            Code,
            context,
            static (f, c) => string.Create(CultureInfo.InvariantCulture, $"amount {c.Amount:0.00} is above the limit {f.Limit:0.00}"),
            context.Amount,
            _options.Threshold,
            _options.Weight);
        return true;
    }
}
