using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pipeline.Models.Anomaly.Rules;

/// <summary>Fires when the account made more than <see cref="VelocityRuleOptions.MaxCount"/> transactions in the velocity window.</summary>
public sealed class VelocityRule : IRule
{
    /// <summary>Reason code of this rule.</summary>
    public const string Code = "velocity_exceeded";

    private readonly VelocityRuleOptions _options;

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public VelocityRule(VelocityRuleOptions options)
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
        if (context.VelocityCount <= _options.MaxCount)
        {
            firing = null;
            return false;
        }

        firing = new RuleFiring(
            Code,
            context,
            static (f, c) => string.Create(CultureInfo.InvariantCulture, $"{c.VelocityCount} transactions in the velocity window, more than the limit {f.Limit}"),
            context.VelocityCount,
            _options.MaxCount,
            _options.Weight);
        return true;
    }
}
