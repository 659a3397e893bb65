namespace Pipeline.Host.Inspector;

/// <summary>One detected drift, for <c>drift show</c> and the status page's timeline.</summary>
/// <param name="At">When it was detected.</param>
/// <param name="Detector">e.g. <c>adwin</c> or <c>ddm</c>.</param>
/// <param name="Signal">What drifted: a feature name or <c>error-rate</c>.</param>
/// <param name="Detail">A short human explanation (window sizes, means).</param>
public sealed record DriftEventInfo(DateTimeOffset At, string Detector, string Signal, string Detail);
