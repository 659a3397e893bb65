using System.Globalization;

namespace Pipeline.Models.Features;

/// <summary>
/// Shape of the per-account state: the sliding windows, their bucket resolution, the allowed
/// lateness and the capacities of the known-value sets. Immutable and validated on construction.
/// <para>
/// Each window of length <c>L</c> is kept as <see cref="BucketsPerWindow"/> time buckets of width
/// <c>L / BucketsPerWindow</c> on event time (Unix epoch aligned). A transaction's window is the
/// bucket holding its event time and the <c>BucketsPerWindow − 1</c> buckets before it, so the
/// window's start is accurate to one bucket width. A window retains
/// <c>BucketsPerWindow + ceil(AllowedLateness / width)</c> buckets behind the account's newest
/// event time, which is what lets an event within the allowed lateness land in its own bucket
/// and see a complete window. Only non-empty buckets are stored (28 bytes each), so an account's
/// memory grows with its activity and is bounded by the retained bucket count.
/// </para>
/// </summary>
public sealed class AccountFeatureOptions
{
    private readonly long[] _windowMs;
    private readonly long[] _widthMs;
    private readonly int[] _retained;

    /// <summary>Creates and validates the options.</summary>
    /// <param name="windows">Window lengths, distinct, each a whole number of milliseconds divisible by <paramref name="bucketsPerWindow"/>; default 1 min, 1 h, 24 h.</param>
    /// <param name="bucketsPerWindow">Buckets per window (1–3600); default 60. More buckets sharpen the window edge and cost memory for busy accounts.</param>
    /// <param name="allowedLateness">How far behind the account's newest event time an event may be and still count as on time (0–7 days).</param>
    /// <param name="knownMerchants">Capacity of the known-merchant set (1–1024); also the cap of the distinct-merchant counts.</param>
    /// <param name="knownCountries">Capacity of the known-country set (1–1024); also the cap of the distinct-country counts.</param>
    /// <param name="knownDevices">Capacity of the known-device set (1–1024).</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public AccountFeatureOptions(IReadOnlyList<TimeSpan> windows, int bucketsPerWindow, TimeSpan allowedLateness, int knownMerchants, int knownCountries, int knownDevices)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count is < 1 or > 16) throw new ArgumentException($"between 1 and 16 windows are allowed, got {windows.Count}", nameof(windows));
        if (bucketsPerWindow is < 1 or > 3600) throw new ArgumentOutOfRangeException(nameof(bucketsPerWindow), bucketsPerWindow, "buckets per window must lie in [1, 3600]");
        if (allowedLateness < TimeSpan.Zero || allowedLateness > TimeSpan.FromDays(7)) throw new ArgumentOutOfRangeException(nameof(allowedLateness), allowedLateness, "allowed lateness must lie in [0, 7 days]");
        CheckCapacity(knownMerchants, nameof(knownMerchants));
        CheckCapacity(knownCountries, nameof(knownCountries));
        CheckCapacity(knownDevices, nameof(knownDevices));

        _windowMs = new long[windows.Count];
        _widthMs = new long[windows.Count];
        _retained = new int[windows.Count];
        var latenessMs = (long)Math.Ceiling(allowedLateness.TotalMilliseconds);
        for (var i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            if (w.Ticks % TimeSpan.TicksPerMillisecond != 0 || w < TimeSpan.FromSeconds(1) || w > TimeSpan.FromDays(366))
            {
                throw new ArgumentException($"window {w} must be a whole number of milliseconds in [1 s, 366 days]", nameof(windows));
            }

            var ms = (long)w.TotalMilliseconds;
            if (ms % bucketsPerWindow != 0) throw new ArgumentException($"window {w} is not divisible into {bucketsPerWindow} buckets of whole milliseconds", nameof(windows));
            for (var j = 0; j < i; j++)
            {
                if (_windowMs[j] == ms) throw new ArgumentException($"window {w} is listed twice", nameof(windows));
            }

            _windowMs[i] = ms;
            _widthMs[i] = ms / bucketsPerWindow;
            _retained[i] = checked(bucketsPerWindow + (int)Math.Min(int.MaxValue / 2, (latenessMs + _widthMs[i] - 1) / _widthMs[i]));
        }

        Windows = windows.ToArray();
        BucketsPerWindow = bucketsPerWindow;
        AllowedLateness = allowedLateness;
        AllowedLatenessMs = latenessMs;
        KnownMerchants = knownMerchants;
        KnownCountries = knownCountries;
        KnownDevices = knownDevices;
        LongestWindowMs = _windowMs.Max();
        FeatureNames = AccountFeatures.Names(Windows);
    }

    /// <summary>The window lengths, in the order their features appear.</summary>
    public IReadOnlyList<TimeSpan> Windows { get; }

    /// <summary>Buckets per window.</summary>
    public int BucketsPerWindow { get; }

    /// <summary>How far behind the account's newest event time an event may be before it is flagged late.</summary>
    public TimeSpan AllowedLateness { get; }

    /// <summary>Capacity of the known-merchant set.</summary>
    public int KnownMerchants { get; }

    /// <summary>Capacity of the known-country set.</summary>
    public int KnownCountries { get; }

    /// <summary>Capacity of the known-device set.</summary>
    public int KnownDevices { get; }

    /// <summary>Stable names of the dense feature vector, in <see cref="AccountFeatures.WriteTo"/> order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    internal long AllowedLatenessMs { get; }

    internal long LongestWindowMs { get; }

    internal long WindowMs(int window) => _windowMs[window];

    internal long WidthMs(int window) => _widthMs[window];

    /// <summary>Buckets a window keeps behind the newest event time: the window plus the lateness allowance.</summary>
    internal int RetainedBuckets(int window) => _retained[window];

    /// <summary>A short label for a window length used in feature names: <c>1m</c>, <c>1h</c>, <c>24h</c>, <c>90s</c>.</summary>
    public static string Label(TimeSpan window)
    {
        var ms = (long)window.TotalMilliseconds;
        var ci = CultureInfo.InvariantCulture;
        if (ms % 3_600_000 == 0) return (ms / 3_600_000).ToString(ci) + "h";
        if (ms % 60_000 == 0) return (ms / 60_000).ToString(ci) + "m";
        if (ms % 1_000 == 0) return (ms / 1_000).ToString(ci) + "s";
        return ms.ToString(ci) + "ms";
    }

    /// <summary>The index of the window of length <paramref name="window"/>, or -1.</summary>
    public int IndexOf(TimeSpan window)
    {
        for (var i = 0; i < Windows.Count; i++)
        {
            if (Windows[i] == window) return i;
        }

        return -1;
    }

    private static void CheckCapacity(int value, string name)
    {
        if (value is < 1 or > 1024) throw new ArgumentOutOfRangeException(name, value, "known-set capacity must lie in [1, 1024]");
    }
}
