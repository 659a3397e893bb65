using Pipeline.Models.Domain;

namespace Pipeline.Models.Synthetic;

/// <summary>One transaction of the synthetic scenario with the ground truth the generator knows about it.</summary>
/// <param name="Transaction">A valid transaction (it always decodes valid once serialized).</param>
/// <param name="IsAnomaly">True when the generator injected it as fraud; only ever true in <see cref="GenerationPhase.Attack"/>.</param>
/// <param name="Phase">The phase that generated it.</param>
/// <param name="LabelDueAt">Event time at which its label becomes known: its timestamp plus the configured label delay.</param>
public sealed record GeneratedTransaction(Transaction Transaction, bool IsAnomaly, GenerationPhase Phase, DateTimeOffset LabelDueAt)
{
    /// <summary>The delayed ground truth for this transaction, labelled at <see cref="LabelDueAt"/>.</summary>
    public TransactionLabel ToLabel() => new(Transaction.TransactionId, IsAnomaly, LabelDueAt);
}
