using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Models.Anomaly.Rules;

/// <summary>A deterministic check of one transaction. Rules are stateless and thread-safe.</summary>
public interface IRule
{
    /// <summary>The stable snake_case code every firing of this rule carries.</summary>
    string ReasonCode { get; }

    /// <summary>Evaluates the rule; allocates only when it fires.</summary>
    /// <returns>True with <paramref name="firing"/> set when the rule fires.</returns>
    bool TryEvaluate(in TransactionContext context, [NotNullWhen(true)] out RuleFiring? firing);
}
