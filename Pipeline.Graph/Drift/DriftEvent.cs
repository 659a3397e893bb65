namespace Pipeline.Graph.Drift;

/// <summary>A detected drift (a <c>drift_events</c> row and a <c>drift-events</c> record).</summary>
/// <param name="Timestamp">Event time of the transaction (or label) that completed the detection.</param>
/// <param name="Detector">"adwin" or "ddm".</param>
/// <param name="Signal">What was watched: "score", "amount_zscore" or "label_error".</param>
/// <param name="Value">The detector's estimate at detection (ADWIN mean, DDM error rate).</param>
/// <param name="Details">Human-readable context: window width, counts.</param>
public sealed record DriftEvent(DateTimeOffset Timestamp, string Detector, string Signal, double Value, string Details);
