namespace Pipeline.Models.Alerting;

/// <summary>
/// Exponential backoff with jitter: <c>min · 2^(attempt−1)</c>, capped at <c>max</c>, then stretched by
/// a random fraction in [0, randomFactor) so that many retries scheduled together spread out.
/// </summary>
/// <param name="Min">Delay before the first retry; positive.</param>
/// <param name="Max">Cap of the exponential delay; at least <paramref name="Min"/>.</param>
/// <param name="RandomFactor">Jitter as a fraction of the delay, in [0, 1].</param>
public sealed record Backoff(TimeSpan Min, TimeSpan Max, double RandomFactor)
{
    /// <summary>The delay before retry number <paramref name="attempt"/> (1-based), jittered by <paramref name="random"/>.</summary>
    public TimeSpan Delay(int attempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var exp = Math.Min(Max.TotalMilliseconds, Min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(exp * (1 + (RandomFactor * random.NextDouble())));
    }
}
