namespace Pipeline.Host.Producing;

/// <summary>
/// Spaces records to a target rate. Record <c>n</c> since the origin is due at <c>n / rate</c>; the caller waits
/// only when it is ahead of schedule by more than <see cref="Slack"/>, so waits stay coarse (timer resolution is a
/// few milliseconds) while the average rate stays exact. Falling far behind (a full queue, a paused process)
/// moves the origin instead of allowing an unbounded catch-up burst. Pure: time is passed in.
/// </summary>
internal sealed class RatePacer
{
    /// <summary>Largest lead tolerated before waiting; bursts stay within <c>rate × Slack</c> records.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(10);

    /// <summary>Largest lag made up by sending faster than the rate.</summary>
    public static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(1);

    private readonly double _ratePerSecond;
    private TimeSpan _origin;
    private long _count;

    /// <param name="ratePerSecond">Records per second; 0 means unlimited.</param>
    public RatePacer(double ratePerSecond)
    {
        if (!double.IsFinite(ratePerSecond) || ratePerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "rate must be finite and >= 0");
        }

        _ratePerSecond = ratePerSecond;
    }

    /// <summary>
    /// Accounts for one more record at <paramref name="now"/> (time since any fixed point) and returns how long to
    /// wait before sending it; zero when no wait is needed.
    /// </summary>
    public TimeSpan Next(TimeSpan now)
    {
        if (_ratePerSecond == 0) return TimeSpan.Zero;
        if (_count == 0) _origin = now;

        var due = _origin + TimeSpan.FromSeconds(_count / _ratePerSecond);
        if (now - due > MaxLag)
        {
            _origin += now - due - MaxLag;
            due = now - MaxLag;
        }

        _count++;
        var ahead = due - now;
        return ahead > Slack ? ahead : TimeSpan.Zero;
    }
}
