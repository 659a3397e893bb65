namespace Pipeline.Models.Domain;

/// <summary>Delayed ground truth from the <c>transaction-labels</c> topic (DESIGN §3.2).</summary>
/// <param name="TransactionId">The labelled transaction.</param>
/// <param name="IsFraud">True when the transaction was confirmed fraudulent.</param>
/// <param name="LabelledAt">When the label was decided (chargeback time).</param>
public sealed record TransactionLabel(string TransactionId, bool IsFraud, DateTimeOffset LabelledAt);
