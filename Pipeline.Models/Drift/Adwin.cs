using Pipeline.Models.Internal;

namespace Pipeline.Models.Drift;

/// <summary>
/// ADWIN (ADaptive WINdowing, bucket version "ADWIN2"): a drift detector for a stream of real
/// numbers that keeps the longest recent window whose mean shows no significant change, and
/// reports a drift whenever it has to drop old data to restore that property.
/// </summary>
/// <remarks>
/// <para>
/// Bifet &amp; Gavaldà, "Learning from time-changing data with adaptive windowing", SIAM SDM 2007.
/// This port follows River's current core (<c>river.drift.ADWIN</c>, the Rust/pointer-array
/// version described in <c>spec/online-algorithms.md</c> §1) operation for operation, so detection
/// indices and the window statistics match River's doubles. In particular every bucket entry of
/// every row is a candidate cut point (the older Cython core skipped the newest entry of each row
/// and detects at different indices).
/// </para>
/// <para>
/// Window: an exponential histogram whose row <c>i</c> holds up to <see cref="AdwinOptions.MaxBuckets"/>
/// summaries (sum, M2) of <c>2^i</c> items each. Memory is O(MaxBuckets · log W); an update costs
/// O(1) amortised, plus a cut test of O(MaxBuckets · log W) on every
/// <see cref="AdwinOptions.Clock"/>-th update. Updates never allocate: rows are fixed-capacity ring
/// buffers in flat arrays that only grow when the window first doubles past their capacity.
/// </para>
/// <para>
/// After an update that reports a drift, the next update first rebuilds the detector from scratch
/// (empty window, clock restarted) exactly as River's wrapper does, so <see cref="DriftDetected"/>
/// is true for one update and the following item starts a window of width 1. The shrunken window
/// statistics are observable only between the detecting update and the next one.
/// </para>
/// <para>Not thread-safe: one instance belongs to one stream.</para>
/// </remarks>
public sealed class Adwin
{
    private const string Magic = "ADWN";
    private const byte FormatVersion = 1;
    private const string TypeName = "ADWIN";

    // Sixteen rows hold more than 5 * 2^15 items before the arrays grow; 64 rows cover any width
    // a long-valued clock can reach.
    private const int InitialRows = 16;
    private const int MaxRows = 63;

    private readonly double _delta;
    private readonly int _clock;
    private readonly int _maxBuckets;
    private readonly int _capacity;
    private readonly double _minWindowLength;
    private readonly double _gracePeriod;

    // Row r occupies [r * _capacity, (r + 1) * _capacity) of _sums/_m2s as a ring buffer whose
    // oldest entry sits at _heads[r]; merging drops the two oldest entries by advancing the head
    // instead of shifting like River does, which gives the same sequence of values.
    private double[] _sums;
    private double[] _m2s;
    private int[] _heads;
    private int[] _counts;
    private int _rows;

    private double _width;
    private double _total;
    private double _variance;
    private long _tick;
    private bool _driftDetected;
    private long _detectionCount;

    /// <summary>Creates an empty detector; <paramref name="options"/> defaults to River's parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range.</exception>
    public Adwin(AdwinOptions? options = null)
    {
        Options = options ?? new AdwinOptions();
        Options.Validate();
        _delta = Options.Delta;
        _clock = Options.Clock;
        _maxBuckets = Options.MaxBuckets;
        _capacity = Options.MaxBuckets + 1;
        _minWindowLength = Options.MinWindowLength;
        _gracePeriod = Options.GracePeriod;
        _sums = new double[InitialRows * _capacity];
        _m2s = new double[InitialRows * _capacity];
        _heads = new int[InitialRows];
        _counts = new int[InitialRows];
        _rows = 1;
    }

    /// <summary>The parameters this detector runs with.</summary>
    public AdwinOptions Options { get; }

    /// <summary>True when the last <see cref="Update"/> detected a drift; cleared by the next update.</summary>
    public bool DriftDetected => _driftDetected;

    /// <summary>Number of items in the current window (a whole number kept as a double, as River does).</summary>
    public double Width => _width;

    /// <summary>Sum of the items in the current window.</summary>
    public double Total => _total;

    /// <summary>
    /// Sum of squared deviations from the window mean (M2), not divided by the width: for
    /// 1, 2, 3, 4, 5 it is 10. This is what River calls <c>variance</c>.
    /// </summary>
    public double Variance => _variance;

    /// <summary>Mean of the current window, or 0 when the window is empty.</summary>
    public double Estimation => _width == 0.0 ? 0.0 : _total / _width;

    /// <summary>
    /// Drifts detected since construction. Unlike River's <c>n_detections</c>, which lives in the
    /// helper that is rebuilt after every drift, this count survives the reset.
    /// </summary>
    public int DetectionCount => (int)Math.Min(_detectionCount, int.MaxValue);

    /// <summary>
    /// Adds <paramref name="x"/> to the window and runs the cut test when the clock says so.
    /// Returns <see cref="DriftDetected"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="x"/> is NaN or infinite; the window would be poisoned for good.</exception>
    public bool Update(double x)
    {
        if (!double.IsFinite(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "ADWIN accepts finite numbers only");
        }

        if (_driftDetected)
        {
            Reset();
        }

        Insert(x);
        _driftDetected = DetectChange();
        if (_driftDetected)
        {
            _detectionCount++;
        }

        return _driftDetected;
    }

    /// <summary>
    /// Writes the complete state (options, window, clock, flags) in a versioned binary format;
    /// <see cref="ReadFrom"/> restores a detector whose future outputs are identical.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        using var w = SnapshotFormat.BeginWrite(stream, Magic, FormatVersion);
        w.Write(_delta);
        w.Write(_clock);
        w.Write(_maxBuckets);
        w.Write((int)_minWindowLength);
        w.Write((int)_gracePeriod);
        w.Write(_width);
        w.Write(_total);
        w.Write(_variance);
        w.Write(_tick);
        w.Write(_driftDetected);
        w.Write(_detectionCount);
        w.Write(_rows);
        for (var r = 0; r < _rows; r++)
        {
            w.Write(_counts[r]);
            for (var k = 0; k < _counts[r]; k++)
            {
                var i = Slot(r, k);
                w.Write(_sums[i]);
                w.Write(_m2s[i]);
            }
        }
    }

    /// <summary>Restores a detector written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not an ADWIN snapshot, has an unknown version, is truncated or inconsistent.</exception>
    public static Adwin ReadFrom(Stream stream)
    {
        using var r = SnapshotFormat.BeginRead(stream, Magic, FormatVersion, TypeName);
        return SnapshotFormat.Guard(TypeName, () => Read(r));
    }

    private static Adwin Read(BinaryReader r)
    {
        var options = new AdwinOptions
        {
            Delta = r.ReadDouble(),
            Clock = r.ReadInt32(),
            MaxBuckets = r.ReadInt32(),
            MinWindowLength = r.ReadInt32(),
            GracePeriod = r.ReadInt32(),
        };
        Adwin a;
        try
        {
            a = new Adwin(options);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"ADWIN snapshot has invalid options: {e.Message}", e);
        }

        a._width = SnapshotFormat.ReadDouble(r, TypeName, "width", v => v >= 0 && double.IsFinite(v));
        a._total = SnapshotFormat.ReadDouble(r, TypeName, "total", double.IsFinite);
        a._variance = r.ReadDouble();
        a._tick = SnapshotFormat.ReadLong(r, TypeName, "tick", 0, long.MaxValue);
        a._driftDetected = r.ReadBoolean();
        a._detectionCount = SnapshotFormat.ReadLong(r, TypeName, "detection count", 0, long.MaxValue);
        var rows = SnapshotFormat.ReadInt(r, TypeName, "row count", 1, MaxRows);
        a.EnsureRowCapacity(rows);
        a._rows = rows;
        var items = 0.0;
        for (var row = 0; row < rows; row++)
        {
            var count = SnapshotFormat.ReadInt(r, TypeName, $"entry count of row {row}", rows > 1 ? 1 : 0, a._maxBuckets);
            a._heads[row] = 0;
            a._counts[row] = count;
            for (var k = 0; k < count; k++)
            {
                var i = row * a._capacity + k;
                a._sums[i] = SnapshotFormat.ReadDouble(r, TypeName, "bucket sum", double.IsFinite);
                a._m2s[i] = r.ReadDouble();
            }

            items += count * Pow2(row);
        }

        if (items != a._width)
        {
            throw new InvalidDataException($"ADWIN snapshot is inconsistent: width {a._width} but the buckets hold {items} items");
        }

        return a;
    }

    private void Reset()
    {
        _rows = 1;
        _heads[0] = 0;
        _counts[0] = 0;
        _width = 0.0;
        _total = 0.0;
        _variance = 0.0;
        _tick = 0;
        _driftDetected = false;
    }

    private void Insert(double x)
    {
        Append(0, x, 0.0);

        // Streaming M2 update against the mean before x; the operation order is River's so the
        // doubles agree bit for bit.
        _width += 1.0;
        var increment = 0.0;
        if (_width > 1.0)
        {
            var d = x - _total / (_width - 1.0);
            increment = (_width - 1.0) * d * d / _width;
        }

        _variance += increment;
        _total += x;
        Compress();
    }

    private void Compress()
    {
        var row = 0;
        while (_counts[row] == _capacity)
        {
            var n = Pow2(row);
            var a = Slot(row, 0);
            var b = Slot(row, 1);
            var mu1 = _sums[a] / n;
            var mu2 = _sums[b] / n;
            var sum = _sums[a] + _sums[b];
            var pooled = n * 0.5 * (mu1 - mu2) * (mu1 - mu2);
            var m2 = _m2s[a] + _m2s[b] + pooled;

            if (row + 1 == _rows)
            {
                EnsureRowCapacity(_rows + 1);
                _heads[_rows] = 0;
                _counts[_rows] = 0;
                _rows++;
            }

            Append(row + 1, sum, m2);
            DropOldest(row, 2);
            if (_counts[row + 1] <= _maxBuckets)
            {
                break;
            }

            row++;
        }
    }

    private bool DetectChange()
    {
        _tick++;
        if (_tick % _clock != 0 || !(_width > _gracePeriod))
        {
            return false;
        }

        var changed = false;
        var cut = true;
        while (cut)
        {
            cut = false;
            var n0 = 0.0;
            var n1 = _width;
            var u0 = 0.0;
            var u1 = _total;

            // Both depend only on the window, which changes only when a cut ends the pass.
            var deltaPrime = Math.Log(2.0 * Math.Log(_width) / _delta);
            var varianceInWindow = _variance / _width;

            for (var row = _rows - 1; row >= 0 && !cut; row--)
            {
                var size = Pow2(row);
                var count = _counts[row];
                var rowStart = row * _capacity;
                var head = _heads[row];
                for (var k = 0; k < count; k++)
                {
                    var slot = head + k;
                    if (slot >= _capacity)
                    {
                        slot -= _capacity;
                    }

                    var s = _sums[rowStart + slot];
                    n0 += size;
                    n1 -= size;
                    u0 += s;
                    u1 -= s;

                    // The newest item always stays on the recent side.
                    if (row == 0 && k == count - 1)
                    {
                        break;
                    }

                    if (n1 >= _minWindowLength && n0 >= _minWindowLength
                        && IsCut(n0, n1, u0 / n0 - u1 / n1, deltaPrime, varianceInWindow))
                    {
                        changed = true;
                        cut = true;
                        DeleteOldest();
                        break;
                    }
                }
            }
        }

        return changed;
    }

    private bool IsCut(double n0, double n1, double deltaMean, double deltaPrime, double varianceInWindow)
    {
        var mRecip = 1.0 / (n0 - _minWindowLength + 1.0) + 1.0 / (n1 - _minWindowLength + 1.0);
        var epsilon = Math.Sqrt(2.0 * mRecip * varianceInWindow * deltaPrime) + 2.0 / 3.0 * deltaPrime * mRecip;
        return Math.Abs(deltaMean) > epsilon;
    }

    private void DeleteOldest()
    {
        var last = _rows - 1;
        var n = Pow2(last);
        var i = Slot(last, 0);
        var u = _sums[i];
        var v = _m2s[i];
        var mu = u / n;

        _width -= n;
        _total -= u;
        var muWindow = _total / _width;
        var increment = v + n * _width * (mu - muWindow) * (mu - muWindow) / (n + _width);
        _variance -= increment;

        DropOldest(last, 1);
        if (_counts[last] == 0 && last > 0)
        {
            _rows--;
        }
    }

    private void Append(int row, double sum, double m2)
    {
        var slot = _heads[row] + _counts[row];
        if (slot >= _capacity)
        {
            slot -= _capacity;
        }

        var i = row * _capacity + slot;
        _sums[i] = sum;
        _m2s[i] = m2;
        _counts[row]++;
    }

    private void DropOldest(int row, int n)
    {
        var head = _heads[row] + n;
        _heads[row] = head >= _capacity ? head - _capacity : head;
        _counts[row] -= n;
    }

    private int Slot(int row, int k)
    {
        var slot = _heads[row] + k;
        if (slot >= _capacity)
        {
            slot -= _capacity;
        }

        return row * _capacity + slot;
    }

    private void EnsureRowCapacity(int rows)
    {
        if (rows <= _heads.Length)
        {
            return;
        }

        if (rows > MaxRows)
        {
            throw new InvalidOperationException($"ADWIN window exceeded 2^{MaxRows} items");
        }

        var newRows = Math.Min(Math.Max(rows, _heads.Length * 2), MaxRows);
        Array.Resize(ref _sums, newRows * _capacity);
        Array.Resize(ref _m2s, newRows * _capacity);
        Array.Resize(ref _heads, newRows);
        Array.Resize(ref _counts, newRows);
    }

    private static double Pow2(int row) => 1UL << row;
}
