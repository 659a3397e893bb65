namespace Pipeline.Models.Anomaly.Rules;

/// <summary>
/// One rule that fired for a transaction: a stable reason code for machines (dashboards, cooldown
/// keys, the <c>reasons</c> column), a sentence for people, and the numbers behind the decision.
/// Two firings are equal when their code, message and numbers are.
/// </summary>
/// <remarks>
/// On the synthetic stream rules fire about 1.2 times per transaction, but the sentence is read only when the
/// transaction becomes an alert: a firing made by a rule keeps what the sentence needs and writes it on first
/// use, so the scoring stage does not format and throw away a string per firing.
/// </remarks>
public sealed record RuleFiring
{
    private readonly TransactionContext _context;
    private readonly Func<RuleFiring, TransactionContext, string>? _describe;
    private string? _message;

    /// <summary>A firing with its sentence already written.</summary>
    /// <param name="reasonCode">Stable snake_case code such as <c>amount_above_threshold</c>; never reworded.</param>
    /// <param name="message">Human-readable explanation with the values, invariant culture.</param>
    /// <param name="observed">The value the rule measured (amount, z-score, count, or history size for novelty rules).</param>
    /// <param name="limit">The configured limit the observed value was compared with.</param>
    /// <param name="weight">The rule's configured weight in [0, 1], used by <see cref="Pipeline.Models.Anomaly.EnsembleScorer"/>.</param>
    public RuleFiring(string reasonCode, string message, double observed, double limit, double weight)
        : this(reasonCode, observed, limit, weight)
    {
        ArgumentNullException.ThrowIfNull(message);
        _message = message;
    }

    /// <summary>A firing whose sentence <paramref name="describe"/> writes from <paramref name="context"/> when first read
    /// (a static lambda, so no closure is allocated).</summary>
    internal RuleFiring(string reasonCode, in TransactionContext context, Func<RuleFiring, TransactionContext, string> describe, double observed, double limit, double weight)
        : this(reasonCode, observed, limit, weight)
    {
        _context = context;
        _describe = describe;
    }

    private RuleFiring(string reasonCode, double observed, double limit, double weight)
    {
        ArgumentNullException.ThrowIfNull(reasonCode);
        ReasonCode = reasonCode;
        Observed = observed;
        Limit = limit;
        Weight = weight;
    }

    /// <summary>Stable snake_case code such as <c>amount_above_threshold</c>; never reworded.</summary>
    public string ReasonCode { get; }

    /// <summary>Human-readable explanation with the values, invariant culture.</summary>
    public string Message => _message ??= _describe!(this, _context);

    /// <summary>The value the rule measured (amount, z-score, count, or history size for novelty rules).</summary>
    public double Observed { get; }

    /// <summary>The configured limit the observed value was compared with.</summary>
    public double Limit { get; }

    /// <summary>The rule's configured weight in [0, 1], used by <see cref="Pipeline.Models.Anomaly.EnsembleScorer"/>.</summary>
    public double Weight { get; }

    /// <inheritdoc />
    public bool Equals(RuleFiring? other) =>
        other is not null
        && ReasonCode == other.ReasonCode
        && Observed.Equals(other.Observed)
        && Limit.Equals(other.Limit)
        && Weight.Equals(other.Weight)
        && Message == other.Message;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ReasonCode, Observed, Limit, Weight);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"ReasonCode = {ReasonCode}, Message = {Message}, Observed = {Observed}, Limit = {Limit}, Weight = {Weight}");
        return true;
    }
}
