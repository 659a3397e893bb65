namespace Pipeline.Models.Drift;

/// <summary>
/// Parameters of <see cref="Ddm"/>. The defaults are River's (<c>river.drift.binary.DDM</c>); the
/// pipeline's own defaults live in <c>hocon/reference.conf</c> under <c>pipeline.drift.ddm</c>.
/// </summary>
public sealed record DdmOptions
{
    /// <summary>
    /// Inputs after a reset during which neither warning nor drift can fire, at least 0.
    /// Default 30: the first test happens on the 31st input.
    /// </summary>
    public int WarmStart { get; init; } = 30;

    /// <summary>
    /// Standard deviations above the best error level that put the detector in the warning zone,
    /// positive and not above <see cref="DriftThreshold"/>. Default 2.0 (about 95% confidence).
    /// </summary>
    public double WarningThreshold { get; init; } = 2.0;

    /// <summary>Standard deviations above the best error level that signal a drift, positive. Default 3.0 (about 99%).</summary>
    public double DriftThreshold { get; init; } = 3.0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first parameter outside its range.</summary>
    public void Validate()
    {
        if (WarmStart < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmStart), WarmStart, "DDM warm start must be at least 0");
        }

        if (!(DriftThreshold > 0.0) || !double.IsFinite(DriftThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(DriftThreshold), DriftThreshold, "DDM drift threshold must be a positive finite number");
        }

        if (!(WarningThreshold > 0.0) || WarningThreshold > DriftThreshold)
        {
            throw new ArgumentOutOfRangeException(nameof(WarningThreshold), WarningThreshold, $"DDM warning threshold must be in (0, drift threshold = {DriftThreshold}]");
        }
    }
}
