namespace Pipeline.Models.Anomaly;

/// <summary>Parameters of <see cref="AdaptiveThreshold"/>; defaults live in <c>pipeline.scoring.threshold</c>.</summary>
public sealed record AdaptiveThresholdOptions
{
    /// <summary>Threshold before the first interval completes, in [<see cref="Min"/>, <see cref="Max"/>].</summary>
    public required double Initial { get; init; }

    /// <summary>Lowest threshold the adaptation may reach, in [0, 1].</summary>
    public required double Min { get; init; }

    /// <summary>Highest threshold the adaptation may reach, in [<see cref="Min"/>, 1].</summary>
    public required double Max { get; init; }

    /// <summary>Lower edge of the target alert rate (alerts / events), in [0, <see cref="TargetRateHigh"/>].</summary>
    public required double TargetRateLow { get; init; }

    /// <summary>Upper edge of the target alert rate, in [<see cref="TargetRateLow"/>, 1].</summary>
    public required double TargetRateHigh { get; init; }

    /// <summary>How far one interval may move the threshold, in (0, 1].</summary>
    public required double Step { get; init; }

    /// <summary>Events per evaluation interval, at least 1.</summary>
    public required int IntervalEvents { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!(Min >= 0.0 && Min <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(Min), Min, "threshold min must be in [0, 1]");
        }

        if (!(Max >= Min && Max <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(Max), Max, $"threshold max must be in [min = {Min}, 1]");
        }

        if (!(Initial >= Min && Initial <= Max))
        {
            throw new ArgumentOutOfRangeException(nameof(Initial), Initial, $"initial threshold must be in [min = {Min}, max = {Max}]");
        }

        if (!(TargetRateLow >= 0.0 && TargetRateLow <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetRateLow), TargetRateLow, "target alert rate low must be in [0, 1]");
        }

        if (!(TargetRateHigh >= TargetRateLow && TargetRateHigh <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetRateHigh), TargetRateHigh, $"target alert rate high must be in [low = {TargetRateLow}, 1]");
        }

        if (!(Step > 0.0 && Step <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(Step), Step, "threshold step must be in (0, 1]");
        }

        if (IntervalEvents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(IntervalEvents), IntervalEvents, "interval events must be at least 1");
        }
    }
}
