namespace Pipeline.Graph.Assembly;

/// <summary>
/// A lock-free latency histogram with log-spaced buckets (about 4 % relative resolution from 10 µs
/// to 10 min), for quantiles in progress lines and the bench. Prometheus histograms stay the export
/// format; this one answers "what is p99 right now" in-process without scraping.
/// </summary>
public sealed class LatencyRecorder
{
    private const double MinSeconds = 1e-5;
    private const double Growth = 1.04;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _counts = new long[BucketCount];
    private long _total;
    private long _maxTicks;

    private static int BucketCount => (int)Math.Ceiling(Math.Log(600 / MinSeconds) / LogGrowth) + 2;

    /// <summary>Number of recorded latencies.</summary>
    public long Count => Interlocked.Read(ref _total);

    /// <summary>Largest recorded latency.</summary>
    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    /// <summary>Records one latency; negative values count as zero.</summary>
    public void Record(TimeSpan latency)
    {
        var seconds = latency.TotalSeconds;
        var index = seconds <= MinSeconds ? 0 : Math.Min(_counts.Length - 1, 1 + (int)(Math.Log(seconds / MinSeconds) / LogGrowth));
        Interlocked.Increment(ref _counts[index]);
        Interlocked.Increment(ref _total);
        var ticks = Math.Max(0, latency.Ticks);
        long seen;
        while (ticks > (seen = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, seen) != seen)
        {
        }
    }

    /// <summary>The latency below which a fraction <paramref name="q"/> (0–1) of recordings fall; zero when empty.</summary>
    public TimeSpan Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        var total = Count;
        if (total == 0) return TimeSpan.Zero;
        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank && seen > 0)
            {
                // Report the bucket's upper bound: a conservative (never optimistic) quantile.
                var upper = i == 0 ? MinSeconds : MinSeconds * Math.Pow(Growth, i);
                return TimeSpan.FromSeconds(Math.Min(upper, Max.TotalSeconds));
            }
        }

        return Max;
    }

    /// <summary>Forgets everything (the bench resets after warm-up).</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _maxTicks, 0);
    }
}
