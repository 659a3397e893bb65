namespace Pipeline.Models.Anomaly;

/// <summary>The blended score and the component scores it came from, all in [0, 1] (a missing component is NaN).</summary>
/// <param name="Total">Weighted mean of the present components; higher means more anomalous.</param>
/// <param name="Hst">Half-Space Trees score, or NaN when it was missing.</param>
/// <param name="Rules">Rule score (noisy-OR of the fired rules' weights; 0 when none fired).</param>
/// <param name="Statistical">Squashed |z-score| of the amount, or NaN when no z-score was available.</param>
public readonly record struct EnsembleScore(double Total, double Hst, double Rules, double Statistical);
