using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pipeline.Models.Anomaly.Rules;

/// <summary>
/// Fires when the amount lies at least <see cref="DeviationRuleOptions.MinZScore"/> standard
/// deviations away from the account's historical mean, in either direction. Never fires while
/// the account has fewer than <see cref="DeviationRuleOptions.MinSampleCount"/> earlier
/// transactions: a mean of three payments is not a habit. The deviation is floored at
/// <see cref="DeviationRuleOptions.MinStdDev"/> so the z-score stays finite.
/// </summary>
public sealed class DeviationFromAccountMeanRule : IRule
{
    /// <summary>Reason code of this rule.</summary>
    public const string Code = "deviation_from_account_mean";

    private readonly DeviationRuleOptions _options;

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public DeviationFromAccountMeanRule(DeviationRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc />
    public string ReasonCode => Code;

    /// <summary>The z-score this rule computes for <paramref name="context"/>, or NaN when the history is too short.</summary>
    public double ZScore(in TransactionContext context)
    {
        if (context.HistoryCount < _options.MinSampleCount)
        {
            return double.NaN;
        }

        var std = Math.Max(context.HistoryStdDev, _options.MinStdDev);
        return (context.Amount - context.HistoryMean) / std;
    }

    /// <inheritdoc />
    public bool TryEvaluate(in TransactionContext context, [NotNullWhen(true)] out RuleFiring? firing)
    {
        var z = ZScore(context);
        if (!(Math.Abs(z) >= _options.MinZScore))
        {
            firing = null;
            return false;
        }

        firing = new RuleFiring(
            Code,
            context,
            static (f, c) => string.Create(
                CultureInfo.InvariantCulture,
                $"amount {c.Amount:0.00} is {Math.Abs(f.Observed):0.0} standard deviations {(f.Observed > 0 ? "above" : "below")} the account mean {c.HistoryMean:0.00} over {c.HistoryCount} transactions"),
            z,
            _options.MinZScore,
            _options.Weight);
        return true;
    }
}
