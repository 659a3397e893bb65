namespace Pipeline.Host.Http;

/// <summary>One point of the status page's timelines.</summary>
/// <param name="At">When it was taken.</param>
/// <param name="StoredPerSecond">Rows stored per second since the previous sample.</param>
/// <param name="AcceptedPerSecond">Records accepted per second since the previous sample.</param>
/// <param name="Lag">Total consumer lag.</param>
/// <param name="AnomalyRate">Flagged / scored since the previous sample (0 when nothing was scored).</param>
public sealed record StatusSample(DateTimeOffset At, double StoredPerSecond, double AcceptedPerSecond, long Lag, double AnomalyRate);
