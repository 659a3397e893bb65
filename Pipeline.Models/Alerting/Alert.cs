using Pipeline.Models.Anomaly;
using Pipeline.Models.Domain;

namespace Pipeline.Models.Alerting;

/// <summary>
/// One alert raised for an anomalous transaction (DESIGN §4, Alerting). Its <see cref="AlertId"/> is
/// derived from the transaction id (see <see cref="AlertIds"/>), so scoring the same transaction again
/// after a crash yields the same alert, and every store, topic and receiver can dedupe on it.
/// Carries no PII: the account id and transaction id are identifiers, never card numbers or e-mails.
/// </summary>
public sealed record Alert
{
    /// <summary>The reason used for cooldown when a transaction was flagged by its score alone (no rule fired, no feature listed).</summary>
    public const string ScoreReason = "score_above_threshold";

    /// <summary>Deterministic id: the same transaction always gives the same alert id.</summary>
    public required Guid AlertId { get; init; }

    /// <summary>The flagged transaction.</summary>
    public required string TransactionId { get; init; }

    /// <summary>The account the transaction belongs to.</summary>
    public required string AccountId { get; init; }

    /// <summary>The transaction's event time; cooldowns are measured in event time so replays decide the same way.</summary>
    public required DateTimeOffset EventTime { get; init; }

    /// <summary>Transaction amount.</summary>
    public required double Amount { get; init; }

    /// <summary>ISO 4217 currency code.</summary>
    public required string Currency { get; init; }

    /// <summary>Blended anomaly score in [0, 1].</summary>
    public required double Score { get; init; }

    /// <summary>Severity of the score.</summary>
    public required Severity Severity { get; init; }

    /// <summary>The alert threshold in force when the transaction was scored.</summary>
    public required double Threshold { get; init; }

    /// <summary>Reason codes: the rules that fired and the features that deviated most.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>The model version that scored the transaction.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>When the pipeline raised the alert (wall clock).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// The reasons cooldown and dedupe are keyed on: the distinct <see cref="Reasons"/> in order, or
    /// <see cref="ScoreReason"/> when there are none.
    /// </summary>
    public IReadOnlyList<string> CooldownReasons =>
        Reasons.Count == 0 ? [ScoreReason] : Reasons.Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The alert for an anomalous <paramref name="scored"/> transaction.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="scored"/> is not flagged, or its severity is not LOW, MEDIUM, HIGH or CRITICAL.</exception>
    public static Alert From(ScoredTransaction scored, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(scored);
        if (!scored.IsAnomaly) throw new ArgumentException($"transaction {scored.TransactionId} is not flagged anomalous", nameof(scored));
        return new Alert
        {
            AlertId = AlertIds.For(scored.TransactionId),
            TransactionId = scored.TransactionId,
            AccountId = scored.AccountId,
            EventTime = scored.Timestamp,
            Amount = scored.Amount,
            Currency = scored.Currency,
            Score = scored.Score,
            Severity = SeverityNames.Parse(scored.Severity),
            Threshold = scored.Threshold,
            Reasons = scored.Reasons.ToArray(),
            ModelVersion = scored.ModelVersion,
            CreatedAt = createdAt,
        };
    }

    /// <summary>Equal when every field is equal, the reasons compared element by element.</summary>
    public bool Equals(Alert? other) =>
        other is not null
        && AlertId == other.AlertId
        && TransactionId == other.TransactionId
        && AccountId == other.AccountId
        && EventTime == other.EventTime
        && Amount.Equals(other.Amount)
        && Currency == other.Currency
        && Score.Equals(other.Score)
        && Severity == other.Severity
        && Threshold.Equals(other.Threshold)
        && Reasons.SequenceEqual(other.Reasons, StringComparer.Ordinal)
        && ModelVersion == other.ModelVersion
        && CreatedAt == other.CreatedAt;

    /// <inheritdoc />
    public override int GetHashCode() => AlertId.GetHashCode();
}
