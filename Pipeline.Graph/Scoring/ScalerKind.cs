namespace Pipeline.Graph.Scoring;

/// <summary>Which feature scaler maps features into [0, 1] before Half-Space Trees (<c>pipeline.scoring.scaler.kind</c>).</summary>
public enum ScalerKind
{
    /// <summary><c>online-min-max</c>: running min/max per feature, no configuration needed.</summary>
    OnlineMinMax,

    /// <summary><c>fixed-limits</c>: per-feature limits from <c>pipeline.scoring.scaler.fixed-limits</c>.</summary>
    FixedLimits,
}
