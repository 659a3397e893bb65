using Pipeline.Models.Internal;

namespace Pipeline.Models.Drift;

/// <summary>
/// DDM, the Drift Detection Method: watches the error rate of a stream of right/wrong decisions
/// and reports a warning, then a drift, when the rate climbs significantly above the best level
/// seen since the last reset.
/// </summary>
/// <remarks>
/// <para>
/// Gama, Medas, Castillo &amp; Rodrigues, "Learning with Drift Detection", SBIA 2004. This port
/// follows River's <c>river.drift.binary.DDM</c> (see <c>spec/online-algorithms.md</c> §2) step
/// for step: running mean <c>p</c> of the inputs, <c>s = sqrt(p(1−p)/n)</c>, and once more than
/// <see cref="DdmOptions.WarmStart"/> inputs were seen, the minimum of <c>p + s</c> (ties move the
/// minimum to the newest point); warning when <c>p + s &gt; p_min + w·s_min</c>, drift when
/// <c>p + s &gt; p_min + d·s_min</c> (both strict; a drift clears the warning).
/// </para>
/// <para>
/// <see cref="DriftDetected"/> stays true for exactly one update: the next update first resets
/// all statistics, and the new concept starts with that next input (the input that raised the
/// drift is not carried over). <see cref="WarningDetected"/> is recomputed on every update after
/// warm-up. O(1) time and memory per update, no allocation. Not thread-safe.
/// </para>
/// </remarks>
public sealed class Ddm
{
    private const string Magic = "DDM_";
    private const byte FormatVersion = 1;
    private const string TypeName = "DDM";

    private readonly int _warmStart;
    private readonly double _warningThreshold;
    private readonly double _driftThreshold;

    // The count is a double because River's running mean keeps its weight as a float and
    // divides by it; keeping the same type keeps the means bit-identical.
    private double _n;
    private double _p;
    private double _pMin;
    private double _sMin;
    private double _psMin;
    private bool _warning;
    private bool _drift;

    /// <summary>Creates a detector; <paramref name="options"/> defaults to River's parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range.</exception>
    public Ddm(DdmOptions? options = null)
    {
        Options = options ?? new DdmOptions();
        Options.Validate();
        _warmStart = Options.WarmStart;
        _warningThreshold = Options.WarningThreshold;
        _driftThreshold = Options.DriftThreshold;
        Reset();
    }

    /// <summary>The parameters this detector runs with.</summary>
    public DdmOptions Options { get; }

    /// <summary>True when the last update detected a drift; the next update resets the detector.</summary>
    public bool DriftDetected => _drift;

    /// <summary>True when the last update left the error rate in the warning zone (never together with a drift).</summary>
    public bool WarningDetected => _warning;

    /// <summary>Mean of the inputs since the last reset, 0 before the first one.</summary>
    public double ErrorRate => _p;

    /// <summary>Inputs seen since the last reset, the current one included.</summary>
    public long Count => (long)_n;

    /// <summary>Adds one decision: <c>true</c> when it was an error.</summary>
    public void Update(bool error) => Update(error ? 1.0 : 0.0);

    /// <summary>Adds one input in [0, 1]; 0/1 are the usual right/wrong bits, fractions are averaged like River does.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="x"/> is NaN or outside [0, 1], where the Bernoulli deviation is undefined.</exception>
    public void Update(double x)
    {
        if (!(x >= 0.0 && x <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "DDM inputs must lie in [0, 1]");
        }

        if (_drift)
        {
            Reset();
        }

        _n += 1.0;
        _p += 1.0 / _n * (x - _p);
        var s = Math.Sqrt(_p * (1.0 - _p) / _n);

        if (_n > _warmStart)
        {
            var ps = _p + s;
            if (ps <= _psMin)
            {
                _pMin = _p;
                _sMin = s;
                _psMin = _pMin + _sMin;
            }

            _warning = ps > _pMin + _warningThreshold * _sMin;
            if (ps > _pMin + _driftThreshold * _sMin)
            {
                _drift = true;
                _warning = false;
            }
        }
    }

    /// <summary>
    /// Writes the complete state in a versioned binary format; <see cref="ReadFrom"/> restores a
    /// detector whose future outputs are identical.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        using var w = SnapshotFormat.BeginWrite(stream, Magic, FormatVersion);
        w.Write(_warmStart);
        w.Write(_warningThreshold);
        w.Write(_driftThreshold);
        w.Write(_n);
        w.Write(_p);
        w.Write(_pMin);
        w.Write(_sMin);
        w.Write(_psMin);
        w.Write(_warning);
        w.Write(_drift);
    }

    /// <summary>Restores a detector written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not a DDM snapshot, has an unknown version, is truncated or invalid.</exception>
    public static Ddm ReadFrom(Stream stream)
    {
        using var r = SnapshotFormat.BeginRead(stream, Magic, FormatVersion, TypeName);
        return SnapshotFormat.Guard(TypeName, () => Read(r));
    }

    private static Ddm Read(BinaryReader r)
    {
        var options = new DdmOptions { WarmStart = r.ReadInt32(), WarningThreshold = r.ReadDouble(), DriftThreshold = r.ReadDouble() };
        Ddm d;
        try
        {
            d = new Ddm(options);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"DDM snapshot has invalid options: {e.Message}", e);
        }

        d._n = SnapshotFormat.ReadDouble(r, TypeName, "count", v => v >= 0 && double.IsFinite(v) && Math.Floor(v) == v);
        d._p = SnapshotFormat.ReadDouble(r, TypeName, "error rate", v => v >= 0 && v <= 1);
        d._pMin = SnapshotFormat.ReadDouble(r, TypeName, "minimum error rate", v => !double.IsNaN(v));
        d._sMin = SnapshotFormat.ReadDouble(r, TypeName, "minimum deviation", v => !double.IsNaN(v));
        d._psMin = SnapshotFormat.ReadDouble(r, TypeName, "minimum p + s", v => !double.IsNaN(v));
        d._warning = r.ReadBoolean();
        d._drift = r.ReadBoolean();
        return d;
    }

    private void Reset()
    {
        _n = 0.0;
        _p = 0.0;
        _pMin = double.PositiveInfinity;
        _sMin = double.PositiveInfinity;
        _psMin = double.PositiveInfinity;
        _warning = false;
        _drift = false;
    }
}
