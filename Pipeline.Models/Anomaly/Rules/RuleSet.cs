namespace Pipeline.Models.Anomaly.Rules;

/// <summary>
/// An ordered, immutable collection of rules evaluated together. Firings are appended to a list
/// the caller owns and reuses, so scoring a transaction that breaks no rule allocates nothing.
/// Thread-safe: rules are stateless.
/// </summary>
public sealed class RuleSet
{
    private readonly IRule[] _rules;

    /// <summary>Creates a set from explicit rules, evaluated in the given order.</summary>
    /// <exception cref="ArgumentException">Two rules share a reason code (their firings could not be told apart).</exception>
    public RuleSet(IEnumerable<IRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules.ToArray();
        var duplicate = _rules.GroupBy(r => r.ReasonCode, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"reason code '{duplicate.Key}' is used by more than one rule", nameof(rules));
        }
    }

    /// <summary>The rules in evaluation order.</summary>
    public IReadOnlyList<IRule> Rules => _rules;

    /// <summary>
    /// Builds the enabled rules of <paramref name="options"/> in a fixed order: amount above,
    /// amount below, deviation, velocity, new country, new merchant, new device.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An enabled rule's options are invalid.</exception>
    public static RuleSet FromOptions(RuleSetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rules = new List<IRule>();
        if (options.AmountAbove is { } above) rules.Add(new AmountAboveRule(above));
        if (options.AmountBelow is { } below) rules.Add(new AmountBelowRule(below));
        if (options.Deviation is { } deviation) rules.Add(new DeviationFromAccountMeanRule(deviation));
        if (options.Velocity is { } velocity) rules.Add(new VelocityRule(velocity));
        if (options.NewCountry is { } country) rules.Add(new NewCountryRule(country));
        if (options.NewMerchant is { } merchant) rules.Add(new NewMerchantRule(merchant));
        if (options.NewDevice is { } device) rules.Add(new NewDeviceRule(device));
        return new RuleSet(rules);
    }

    /// <summary>
    /// Evaluates every rule and appends each firing to <paramref name="firings"/> (which is not
    /// cleared first). Returns the number of rules that fired.
    /// </summary>
    public int Evaluate(in TransactionContext context, ICollection<RuleFiring> firings)
    {
        ArgumentNullException.ThrowIfNull(firings);
        var fired = 0;
        foreach (var rule in _rules)
        {
            if (rule.TryEvaluate(context, out var firing))
            {
                firings.Add(firing);
                fired++;
            }
        }

        return fired;
    }
}
