using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pipeline.Models.Anomaly.Rules;

/// <summary>
/// Fires when the transaction's device is new for the account
/// (<see cref="TransactionContext.IsNewDevice"/>) and the account already has at least
/// <see cref="NoveltyRuleOptions.MinHistoryCount"/> earlier transactions.
/// </summary>
public sealed class NewDeviceRule : IRule
{
    /// <summary>Reason code of this rule.</summary>
    public const string Code = "new_device";

    private readonly NoveltyRuleOptions _options;

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public NewDeviceRule(NoveltyRuleOptions options)
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
        if (!context.IsNewDevice || context.HistoryCount < _options.MinHistoryCount)
        {
            firing = null;
            return false;
        }

        firing = new RuleFiring(
            Code,
            context,
            static (_, c) => string.Create(CultureInfo.InvariantCulture, $"first transaction with device {c.DeviceId ?? "unknown"} after {c.HistoryCount} earlier transactions"),
            context.HistoryCount,
            _options.MinHistoryCount,
            _options.Weight);
        return true;
    }
}
