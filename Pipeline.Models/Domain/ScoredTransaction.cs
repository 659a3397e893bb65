namespace Pipeline.Models.Domain;

/// <summary>
/// One row of <c>scored_transactions</c> (DESIGN §3.4): a transaction with the decision of the model
/// version that scored it. Unique on (<see cref="TransactionId"/>, <see cref="Timestamp"/>).
/// </summary>
public sealed record ScoredTransaction
{
    /// <summary>The transaction's event time.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Transaction id.</summary>
    public required string TransactionId { get; init; }

    /// <summary>Account id.</summary>
    public required string AccountId { get; init; }

    /// <summary>Amount.</summary>
    public required double Amount { get; init; }

    /// <summary>Currency code.</summary>
    public required string Currency { get; init; }

    /// <summary>Anomaly score in [0, 1]; higher is more anomalous.</summary>
    public required double Score { get; init; }

    /// <summary>True when <see cref="Score"/> reached <see cref="Threshold"/> or a blocking rule fired.</summary>
    public required bool IsAnomaly { get; init; }

    /// <summary>LOW, MEDIUM, HIGH or CRITICAL.</summary>
    public required string Severity { get; init; }

    /// <summary>The alert threshold in force when the transaction was scored.</summary>
    public required double Threshold { get; init; }

    /// <summary>The model version that scored the transaction.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>True when the event arrived later than the allowed lateness.</summary>
    public bool Late { get; init; }

    /// <summary>Feature values that fed the model (scaled to [0, 1] where the model needs it).</summary>
    public required IReadOnlyDictionary<string, double> Features { get; init; }

    /// <summary>Reason codes: rules that fired and the most deviating features.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }
}
