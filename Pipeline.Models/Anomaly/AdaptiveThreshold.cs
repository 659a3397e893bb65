using Pipeline.Models.Internal;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// The alert threshold on the ensemble score, steered towards a target alert rate. An event is
/// an alert when its score is strictly above <see cref="Threshold"/>. Events and alerts are
/// counted per interval of <see cref="AdaptiveThresholdOptions.IntervalEvents"/> events; when an
/// interval completes, the threshold moves up by one <see cref="AdaptiveThresholdOptions.Step"/>
/// if the interval's alert rate was above the target band, down by one step if it was below, and
/// stays if it was inside; the result is clamped to [Min, Max].
/// </summary>
/// <remarks>
/// The threshold never changes inside an interval, so every event of an interval is judged by the
/// same rule, and a burst of anomalies cannot talk the threshold out of seeing itself. A fixed
/// step (rather than one proportional to the miss) bounds how fast an attacker can drift it:
/// at most one step per interval. Deterministic: the threshold is a function of the scores seen.
/// O(1) per event, no allocation. Not thread-safe.
/// </remarks>
public sealed class AdaptiveThreshold
{
    private const string Magic = "ATHR";
    private const byte FormatVersion = 1;
    private const string TypeName = "adaptive threshold";

    private double _threshold;
    private int _events;
    private int _alerts;
    private long _intervals;
    private double _lastRate;

    /// <summary>Creates the threshold at <see cref="AdaptiveThresholdOptions.Initial"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public AdaptiveThreshold(AdaptiveThresholdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _threshold = options.Initial;
        _lastRate = double.NaN;
    }

    /// <summary>The parameters of the adaptation.</summary>
    public AdaptiveThresholdOptions Options { get; }

    /// <summary>The threshold applied to the current interval.</summary>
    public double Threshold => _threshold;

    /// <summary>Events counted in the current, incomplete interval.</summary>
    public int EventsInInterval => _events;

    /// <summary>Alerts counted in the current, incomplete interval.</summary>
    public int AlertsInInterval => _alerts;

    /// <summary>Intervals completed so far.</summary>
    public long IntervalsCompleted => _intervals;

    /// <summary>Alert rate of the last completed interval, NaN before the first one completes.</summary>
    public double LastIntervalAlertRate => _lastRate;

    /// <summary>
    /// Judges one score against the current threshold and counts it. Returns true when it is an
    /// alert. When this event completes an interval, the threshold for the next interval is set
    /// afterwards; this event is still judged by the old one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is NaN.</exception>
    public bool Evaluate(double score)
    {
        if (double.IsNaN(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "a score must be a number");
        }

        var alert = score > _threshold;
        _events++;
        if (alert)
        {
            _alerts++;
        }

        if (_events >= Options.IntervalEvents)
        {
            CompleteInterval();
        }

        return alert;
    }

    /// <summary>Writes options and state in a versioned binary format that <see cref="ReadFrom"/> restores.</summary>
    public void WriteTo(Stream stream)
    {
        using var w = SnapshotFormat.BeginWrite(stream, Magic, FormatVersion);
        w.Write(Options.Initial);
        w.Write(Options.Min);
        w.Write(Options.Max);
        w.Write(Options.TargetRateLow);
        w.Write(Options.TargetRateHigh);
        w.Write(Options.Step);
        w.Write(Options.IntervalEvents);
        w.Write(_threshold);
        w.Write(_events);
        w.Write(_alerts);
        w.Write(_intervals);
        w.Write(_lastRate);
    }

    /// <summary>Restores a threshold written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not a threshold snapshot, is truncated or invalid.</exception>
    public static AdaptiveThreshold ReadFrom(Stream stream)
    {
        using var r = SnapshotFormat.BeginRead(stream, Magic, FormatVersion, TypeName);
        return SnapshotFormat.Guard(TypeName, () =>
        {
            var options = new AdaptiveThresholdOptions
            {
                Initial = r.ReadDouble(),
                Min = r.ReadDouble(),
                Max = r.ReadDouble(),
                TargetRateLow = r.ReadDouble(),
                TargetRateHigh = r.ReadDouble(),
                Step = r.ReadDouble(),
                IntervalEvents = r.ReadInt32(),
            };
            AdaptiveThreshold t;
            try
            {
                t = new AdaptiveThreshold(options);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new InvalidDataException($"{TypeName} snapshot has invalid options: {e.Message}", e);
            }

            t._threshold = SnapshotFormat.ReadDouble(r, TypeName, "threshold", v => v >= options.Min && v <= options.Max);
            t._events = SnapshotFormat.ReadInt(r, TypeName, "event count", 0, options.IntervalEvents - 1);
            t._alerts = SnapshotFormat.ReadInt(r, TypeName, "alert count", 0, t._events);
            t._intervals = SnapshotFormat.ReadLong(r, TypeName, "interval count", 0, long.MaxValue);
            t._lastRate = SnapshotFormat.ReadDouble(r, TypeName, "last alert rate", v => double.IsNaN(v) || (v >= 0 && v <= 1));
            return t;
        });
    }

    private void CompleteInterval()
    {
        var rate = (double)_alerts / _events;
        if (rate > Options.TargetRateHigh)
        {
            _threshold = Math.Min(Options.Max, _threshold + Options.Step);
        }
        else if (rate < Options.TargetRateLow)
        {
            _threshold = Math.Max(Options.Min, _threshold - Options.Step);
        }

        _lastRate = rate;
        _intervals++;
        _events = 0;
        _alerts = 0;
    }
}
