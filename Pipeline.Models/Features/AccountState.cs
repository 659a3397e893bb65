using System.Buffers;
using Pipeline.Models.Domain;
using Pipeline.Models.Features.Internal;

namespace Pipeline.Models.Features;

/// <summary>
/// Everything the pipeline remembers about one account: event-time window buckets, all-time
/// amount statistics, bounded sets of known merchants, countries and devices, the newest event
/// time, and the position of the last record applied. <see cref="Process"/> featurizes one
/// transaction and applies it; <see cref="ToBytes"/> and <see cref="FromBytes"/> move the state
/// through the feature store. Not thread-safe: one stage owns it.
/// <para>
/// <b>Windows.</b> See <see cref="AccountFeatureOptions"/> for the bucket layout. A transaction at
/// event time <c>t</c> sees, per window, the buckets from <c>bucket(t) − buckets + 1</c> to
/// <c>bucket(t)</c> that are still retained — every applied transaction in them, including ones
/// that arrived earlier with a later event time in the same bucket, never ones in later buckets.
/// An event within the allowed lateness therefore gets exactly the window an in-order arrival
/// would have had over what was received so far, and lands in its own bucket.
/// </para>
/// <para>
/// <b>Lateness.</b> An event whose time is more than the allowed lateness behind the account's
/// newest event time is flagged <see cref="AccountFeatures.Late"/>. It is still featurized against
/// the current state and still applied — to the history, the known sets, and every window bucket
/// that is still retained; buckets that were already evicted are not recreated, so such an event
/// is missing from (and sees only the retained part of) the windows that moved past it.
/// </para>
/// <para>
/// <b>History.</b> All-time count, mean and population standard deviation (Welford), chosen over
/// an exponentially weighted mean so the z-score and the rules' minimum sample counts mean what
/// they say and a restart reproduces them exactly. Features use the history <em>before</em> the
/// transaction.
/// </para>
/// <para>
/// <b>Distinct counts and novelty.</b> Known values are kept as stable 64-bit hashes with the
/// newest event time each was seen; a window's distinct count is the number of known values seen
/// at or after the window's first bucket. That is exact for in-order streams while the account
/// has at most the set's capacity of distinct values in the window, and saturates at the
/// capacity otherwise; for an out-of-order event a value seen only after it still counts. A value
/// evicted from a full set is reported as new again when it returns.
/// </para>
/// <para>
/// <b>Replays.</b> A record on the same topic and partition as the last applied one, at an offset
/// not above it, was already applied (Kafka delivered it again after a crash or a rebalance): it
/// is featurized against the current state, flagged <see cref="AccountFeatures.Replayed"/>, and not
/// applied again. Records from another partition are always applied.
/// </para>
/// </summary>
public sealed class AccountState
{
    private const double StdDevFloorFraction = 0.01;
    private const double ZScoreLimit = 1e6;

    private readonly AccountFeatureOptions _options;

    // Known sets and window buckets in one array: see StateArena.
    private StateArena _arena;
    private long _maxEventMs;
    private bool _hasEvents;
    private RecordPosition? _lastApplied;
    private long _historyCount;
    private double _historyMean;
    private double _historyM2;

    /// <summary>An empty state: the account has not been seen.</summary>
    public AccountState(AccountFeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _arena = new StateArena(options.Windows.Count);
    }

    /// <summary>The options this state was built for.</summary>
    public AccountFeatureOptions Options => _options;

    /// <summary>Newest event time applied, or null for an empty state.</summary>
    public DateTimeOffset? MaxEventTime => _hasEvents ? DateTimeOffset.FromUnixTimeMilliseconds(_maxEventMs) : null;

    /// <summary>Position of the last applied record, or null.</summary>
    public RecordPosition? LastApplied => _lastApplied;

    /// <summary>Transactions applied in the account's history.</summary>
    public long HistoryCount => _historyCount;

    /// <summary>Bytes held by the bucket and known-set arrays (the part of the state that grows with activity).</summary>
    public int AllocatedBytes => _arena.AllocatedBytes;

    /// <summary>True when a record at <paramref name="position"/> was already applied to this state.</summary>
    public bool IsReplay(RecordPosition position) =>
        _lastApplied is { } last && last.SamePartitionAs(position) && position.Offset <= last.Offset;

    /// <summary>
    /// Featurizes <paramref name="transaction"/> and, unless it is a replay, applies it. Never
    /// throws for a validated transaction.
    /// </summary>
    public AccountFeatures Process(Transaction transaction, RecordPosition position)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var t = transaction.Timestamp.ToUnixTimeMilliseconds();
        var amount = transaction.Amount;
        var replay = IsReplay(position);
        var late = _hasEvents && t < _maxEventMs - _options.AllowedLatenessMs;

        var historyCount = _historyCount;
        var historyMean = _historyMean;
        var historyStd = historyCount >= 2 ? Math.Sqrt(Math.Max(0, _historyM2 / historyCount)) : 0;
        var z = historyCount >= 2
            ? Math.Clamp((amount - historyMean) / Math.Max(historyStd, StdDevFloorFraction * historyMean), -ZScoreLimit, ZScoreLimit)
            : 0;
        var longest = _options.LongestWindowMs;
        var sincePrevious = _hasEvents ? Math.Clamp(t - _maxEventMs, 0, longest) : longest;

        var merchant = StableHash.Of(transaction.MerchantId);
        var country = StableHash.Of(transaction.Country);
        var deviceId = transaction.DeviceId;
        var device = deviceId is null ? 0UL : StableHash.Of(deviceId);
        var windowCount = _options.Windows.Count;
        Span<long> current = stackalloc long[windowCount];
        for (var i = 0; i < windowCount; i++) current[i] = FloorDiv(t, _options.WidthMs(i));

        bool newMerchant, newCountry, newDevice;
        if (replay)
        {
            newMerchant = !KnownSet.Contains(_arena, StateArena.Merchants, merchant);
            newCountry = !KnownSet.Contains(_arena, StateArena.Countries, country);
            newDevice = deviceId is not null && !KnownSet.Contains(_arena, StateArena.Devices, device);
        }
        else
        {
            // One pass per set answers "was it known?" and records it: the flags describe the state before this transaction.
            newMerchant = !KnownSet.Touch(ref _arena, StateArena.Merchants, merchant, t, _options.KnownMerchants);
            newCountry = !KnownSet.Touch(ref _arena, StateArena.Countries, country, t, _options.KnownCountries);
            newDevice = deviceId is not null && !KnownSet.Touch(ref _arena, StateArena.Devices, device, t, _options.KnownDevices);
            Apply(t, amount, position, current);
        }

        var buckets = _options.BucketsPerWindow;
        Span<long> first = stackalloc long[windowCount];
        Span<long> from = stackalloc long[windowCount];
        for (var i = 0; i < windowCount; i++)
        {
            first[i] = current[i] - buckets + 1;
            from[i] = first[i] * _options.WidthMs(i);
        }

        Span<int> distinctMerchants = stackalloc int[windowCount];
        Span<int> distinctCountries = stackalloc int[windowCount];
        KnownSet.CountSeenSince(_arena, StateArena.Merchants, from, distinctMerchants);
        KnownSet.CountSeenSince(_arena, StateArena.Countries, from, distinctCountries);
        var windows = new WindowFeatures[windowCount];
        for (var i = 0; i < windowCount; i++)
        {
            var (count, sum, squares) = BucketList.Query(_arena, i, first[i], current[i]);
            var mean = count > 0 ? sum / count : 0;
            var std = count > 1 ? Math.Sqrt(Math.Max(0, (squares / count) - (mean * mean))) : 0;
            windows[i] = new WindowFeatures(_options.Windows[i], count, sum, mean, std, distinctMerchants[i], distinctCountries[i]);
        }

        return new AccountFeatures
        {
            Amount = amount,
            AmountZScore = z,
            HistoryCount = historyCount,
            HistoryMean = historyMean,
            HistoryStdDev = historyStd,
            SecondsSincePrevious = sincePrevious / 1000.0,
            HourOfDay = transaction.Timestamp.Hour,
            IsNewMerchant = newMerchant,
            IsNewCountry = newCountry,
            IsNewDevice = newDevice,
            Windows = windows,
            Late = late,
            Replayed = replay,
        };
    }

    /// <summary>
    /// Asks the processor to start loading this state's window buckets and known sets into the
    /// cache, so a <see cref="Process"/> call a little later need not wait for memory. With many
    /// accounts in memory each event touches a state that is not in the cache; a caller that
    /// knows the next few events can overlap those waits. Reads only this object (which should
    /// itself be in the cache or on its way); a hint with no effect on any result, and nothing on
    /// processors without SSE.
    /// </summary>
    public void Prefetch() => _arena.Prefetch();

    /// <summary>The state as a versioned binary snapshot (format <c>ACST</c> version 1).</summary>
    public byte[] ToBytes() => AccountStateFormat.Write(this);

    /// <summary>
    /// Appends the same snapshot as <see cref="ToBytes"/> to <paramref name="destination"/>, so a
    /// caller writing many states can reuse one buffer instead of allocating an array per state.
    /// </summary>
    /// <returns>The snapshot's length in bytes.</returns>
    public int WriteTo(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return AccountStateFormat.Write(this, destination);
    }

    /// <summary>
    /// Restores a snapshot for <paramref name="options"/>. Windows are matched by length and bucket
    /// width; a window the snapshot does not have (the configuration changed) starts empty, and
    /// known sets larger than the configured capacity keep their most recently seen values.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a snapshot of this format and version, or are corrupt.</exception>
    public static AccountState FromBytes(ReadOnlySpan<byte> bytes, AccountFeatureOptions options) => AccountStateFormat.Read(bytes, options);

    internal static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return a - (q * b) < 0 ? q - 1 : q;
    }

    internal ReadOnlySpan<Bucket> Buckets(int window) => _arena.Buckets(window);

    internal ReadOnlySpan<KnownEntry> Known(int set) => _arena.Known(set);

    internal void RestoreBucket(int window, Bucket bucket) => BucketList.AppendRestored(ref _arena, window, bucket);

    internal void RestoreKnown(int set, KnownEntry[] entries, int capacity) => KnownSet.Restore(ref _arena, set, entries, capacity);

    internal (bool HasEvents, long MaxEventMs, long Count, double Mean, double M2) Core => (_hasEvents, _maxEventMs, _historyCount, _historyMean, _historyM2);

    internal void RestoreCore(bool hasEvents, long maxEventMs, RecordPosition? lastApplied, long count, double mean, double m2)
    {
        _hasEvents = hasEvents;
        _maxEventMs = maxEventMs;
        _lastApplied = lastApplied;
        _historyCount = count;
        _historyMean = mean;
        _historyM2 = m2;
    }

    /// <param name="t">Event time, ms.</param>
    /// <param name="amount">Amount.</param>
    /// <param name="position">The record's position.</param>
    /// <param name="current">Per window, the bucket index of <paramref name="t"/>.</param>
    private void Apply(long t, double amount, RecordPosition position, ReadOnlySpan<long> current)
    {
        var newest = !_hasEvents || t >= _maxEventMs;
        if (!_hasEvents || t > _maxEventMs)
        {
            _maxEventMs = t;
            _hasEvents = true;
        }

        for (var i = 0; i < current.Length; i++)
        {
            // In order (the common case) the newest event time is t itself: one division per window, not two.
            var newestIndex = newest ? current[i] : FloorDiv(_maxEventMs, _options.WidthMs(i));
            var retained = _options.RetainedBuckets(i);
            BucketList.Apply(ref _arena, i, current[i], amount, newestIndex - retained + 1);
        }

        _historyCount++;
        var delta = amount - _historyMean;
        _historyMean += delta / _historyCount;
        _historyM2 += delta * (amount - _historyMean);
        _lastApplied = position;
    }
}
