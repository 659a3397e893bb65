namespace Pipeline.Host.Replay;

/// <summary>What one replay did.</summary>
/// <param name="Records">Records read from the source (Kafka records or non-blank file lines).</param>
/// <param name="Scored">Transactions scored and stored.</param>
/// <param name="Anomalies">Scored transactions flagged anomalous.</param>
/// <param name="Quarantined">Records rejected by decode and validation, stored in the result set's quarantine table.</param>
/// <param name="Duplicates">Records skipped because their transaction id came earlier in the replay.</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="Cancelled">True when the run was stopped before it reached its end.</param>
public sealed record ReplaySummary(long Records, long Scored, long Anomalies, long Quarantined, long Duplicates, TimeSpan Elapsed, bool Cancelled);
