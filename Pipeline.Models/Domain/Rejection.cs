namespace Pipeline.Models.Domain;

/// <summary>
/// Why a payload was turned away. <see cref="Reason"/> is a stable snake_case code from
/// <see cref="RejectionReasons"/> (safe to use as a metric label or a quarantine column);
/// <see cref="Detail"/> is a short text for people. Neither ever contains a value from the payload:
/// at most the name of a contract field, so a rejection can be logged even when the payload held PII.
/// </summary>
/// <param name="Stage">The check that failed.</param>
/// <param name="Reason">Stable reason code, see <see cref="RejectionReasons"/>.</param>
/// <param name="Detail">Human-readable explanation naming at most the contract field involved.</param>
public sealed record Rejection(RejectionStage Stage, string Reason, string Detail);
