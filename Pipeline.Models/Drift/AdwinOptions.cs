namespace Pipeline.Models.Drift;

/// <summary>
/// Parameters of <see cref="Adwin"/>. The defaults are River's (<c>river.drift.ADWIN</c>); the
/// pipeline's own defaults live in <c>hocon/reference.conf</c> under <c>pipeline.drift.adwin</c>.
/// </summary>
public sealed record AdwinOptions
{
    /// <summary>Largest <see cref="MaxBuckets"/> accepted: beyond it the cut test gets slow without gaining precision.</summary>
    public const int MaxBucketsLimit = 1024;

    /// <summary>
    /// Significance of the cut test, in (0, 1). Default 0.002. Smaller values need stronger
    /// evidence before a drift is reported (fewer false alarms, later detections).
    /// </summary>
    public double Delta { get; init; } = 0.002;

    /// <summary>
    /// The cut test runs only on every <c>Clock</c>-th update since the last reset. Default 32;
    /// 1 tests on every update (earliest detection, highest cost).
    /// </summary>
    public int Clock { get; init; } = 32;

    /// <summary>
    /// Bucket summaries kept per row of the exponential histogram before two are merged, in
    /// [2, <see cref="MaxBucketsLimit"/>]. Default 5. More buckets give finer cut points at more
    /// memory and test cost. One bucket per row is refused: a merge could then empty every row
    /// below the oldest one, and removing the oldest bucket would leave an empty oldest row.
    /// </summary>
    public int MaxBuckets { get; init; } = 5;

    /// <summary>
    /// Items both sub-windows must hold before a cut between them is tested; also part of the
    /// bound. At least 1. Default 5.
    /// </summary>
    public int MinWindowLength { get; init; } = 5;

    /// <summary>No cut test runs while the window holds at most this many items. At least 0. Default 10.</summary>
    public int GracePeriod { get; init; } = 10;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first parameter outside its range.</summary>
    public void Validate()
    {
        if (!(Delta > 0.0 && Delta < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(Delta), Delta, "ADWIN delta must be in (0, 1)");
        }

        if (Clock < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Clock), Clock, "ADWIN clock must be at least 1");
        }

        if (MaxBuckets < 2 || MaxBuckets > MaxBucketsLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBuckets), MaxBuckets, $"ADWIN max buckets must be in [2, {MaxBucketsLimit}]");
        }

        if (MinWindowLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinWindowLength), MinWindowLength, "ADWIN min window length must be at least 1");
        }

        if (GracePeriod < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(GracePeriod), GracePeriod, "ADWIN grace period must be at least 0");
        }
    }
}
