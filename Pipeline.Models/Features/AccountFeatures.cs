using Pipeline.Models.Anomaly.Rules;
using Pipeline.Models.Domain;

namespace Pipeline.Models.Features;

/// <summary>
/// The features of one transaction against its account's state (DESIGN §4), raw and unscaled: the
/// scoring stage scales them to [0, 1] before Half-Space Trees.
/// <para>
/// Dense order (<see cref="WriteTo"/>, names from <see cref="Names"/>):
/// <c>amount</c>, <c>amount_zscore</c>, <c>seconds_since_previous</c>, <c>hour_of_day</c>,
/// <c>new_merchant</c>, <c>new_country</c>, <c>new_device</c>, then for each window <c>w</c> in the
/// configured order <c>count_w</c>, <c>sum_w</c>, <c>mean_w</c>, <c>std_w</c>,
/// <c>distinct_merchants_w</c>, <c>distinct_countries_w</c> (<c>w</c> as <see cref="AccountFeatureOptions.Label"/>
/// prints it, e.g. <c>count_1m</c>, <c>std_24h</c>). Flags are 0 or 1.
/// </para>
/// Equality is by value, windows included.
/// </summary>
public sealed record AccountFeatures
{
    /// <summary>Dense features that do not belong to a window.</summary>
    public const int AccountFeatureCount = 7;

    /// <summary>Dense features per window.</summary>
    public const int PerWindowFeatureCount = 6;

    /// <summary>The transaction's amount.</summary>
    public required double Amount { get; init; }

    /// <summary>
    /// <c>(amount − history mean) / max(history std, 1% of history mean)</c>, clamped to ±1e6; 0 when the
    /// account has fewer than two earlier transactions. The floor keeps the score finite for an
    /// account whose amounts never varied.
    /// </summary>
    public required double AmountZScore { get; init; }

    /// <summary>Earlier transactions behind the history statistics (all-time; see <see cref="AccountState"/>).</summary>
    public required long HistoryCount { get; init; }

    /// <summary>Mean amount of the earlier transactions (0 when none).</summary>
    public required double HistoryMean { get; init; }

    /// <summary>Population standard deviation of the earlier amounts (0 when fewer than two).</summary>
    public required double HistoryStdDev { get; init; }

    /// <summary>
    /// Seconds from the account's newest earlier event time to this one, clamped to
    /// [0, longest window]; the longest window for an account's first transaction, and 0 for an
    /// out-of-order event (one older than an event already seen).
    /// </summary>
    public required double SecondsSincePrevious { get; init; }

    /// <summary>Hour of day (0–23) on the wall clock of the offset the transaction's timestamp carries.</summary>
    public required int HourOfDay { get; init; }

    /// <summary>The merchant was not in the account's known-merchant set.</summary>
    public required bool IsNewMerchant { get; init; }

    /// <summary>The country was not in the account's known-country set.</summary>
    public required bool IsNewCountry { get; init; }

    /// <summary>The device was not in the account's known-device set; false when the transaction has no device.</summary>
    public required bool IsNewDevice { get; init; }

    /// <summary>Per-window aggregates, in the configured window order, this transaction included.</summary>
    public required IReadOnlyList<WindowFeatures> Windows { get; init; }

    /// <summary>The event time lay further behind the account's newest event time than the allowed lateness.</summary>
    public required bool Late { get; init; }

    /// <summary>
    /// The record was already applied (same partition, offset not above the last applied one): it
    /// was featurized against the current state and not counted again.
    /// </summary>
    public required bool Replayed { get; init; }

    /// <summary>Number of dense features for <see cref="Windows"/>.</summary>
    public int FeatureCount => AccountFeatureCount + (PerWindowFeatureCount * Windows.Count);

    /// <summary>Names of the dense features for the given window lengths, in <see cref="WriteTo"/> order.</summary>
    public static IReadOnlyList<string> Names(IReadOnlyList<TimeSpan> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var names = new List<string>(AccountFeatureCount + (PerWindowFeatureCount * windows.Count))
        {
            "amount", "amount_zscore", "seconds_since_previous", "hour_of_day", "new_merchant", "new_country", "new_device",
        };
        foreach (var w in windows)
        {
            var l = AccountFeatureOptions.Label(w);
            names.Add("count_" + l);
            names.Add("sum_" + l);
            names.Add("mean_" + l);
            names.Add("std_" + l);
            names.Add("distinct_merchants_" + l);
            names.Add("distinct_countries_" + l);
        }

        return names.AsReadOnly();
    }

    /// <summary>Writes the dense features into <paramref name="destination"/> in the documented order.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly <see cref="FeatureCount"/> long.</exception>
    public void WriteTo(Span<double> destination)
    {
        if (destination.Length != FeatureCount)
        {
            throw new ArgumentException($"destination holds {destination.Length} values; {FeatureCount} features are written", nameof(destination));
        }

        destination[0] = Amount;
        destination[1] = AmountZScore;
        destination[2] = SecondsSincePrevious;
        destination[3] = HourOfDay;
        destination[4] = IsNewMerchant ? 1 : 0;
        destination[5] = IsNewCountry ? 1 : 0;
        destination[6] = IsNewDevice ? 1 : 0;
        var i = AccountFeatureCount;
        // Index loops: foreach over the IReadOnlyList allocates an enumerator, twice per transaction.
        var windows = Windows;
        for (var k = 0; k < windows.Count; k++)
        {
            var w = windows[k];
            destination[i++] = w.Count;
            destination[i++] = w.Sum;
            destination[i++] = w.Mean;
            destination[i++] = w.StdDev;
            destination[i++] = w.DistinctMerchants;
            destination[i++] = w.DistinctCountries;
        }
    }

    /// <summary>The dense features as a new array.</summary>
    public double[] ToArray()
    {
        var values = new double[FeatureCount];
        WriteTo(values);
        return values;
    }

    /// <summary>
    /// What the rules see of <paramref name="transaction"/>: history before it, the count of the
    /// window of length <paramref name="velocityWindow"/> as the velocity, and the novelty flags.
    /// </summary>
    /// <exception cref="ArgumentException">No window has length <paramref name="velocityWindow"/>.</exception>
    public TransactionContext ToRuleContext(Transaction transaction, TimeSpan velocityWindow)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var velocity = -1;
        var windows = Windows;
        for (var k = 0; k < windows.Count; k++)
        {
            var w = windows[k];
            if (w.Length == velocityWindow)
            {
                velocity = w.Count;
                break;
            }
        }

        if (velocity < 0)
        {
            throw new ArgumentException($"no account window has length {velocityWindow}; the velocity window must be one of the configured windows", nameof(velocityWindow));
        }

        return new TransactionContext
        {
            Amount = Amount,
            HistoryMean = HistoryMean,
            HistoryStdDev = HistoryStdDev,
            HistoryCount = HistoryCount,
            VelocityCount = velocity,
            IsNewCountry = IsNewCountry,
            IsNewMerchant = IsNewMerchant,
            IsNewDevice = IsNewDevice,
            Country = transaction.Country,
            MerchantId = transaction.MerchantId,
            DeviceId = transaction.DeviceId,
        };
    }

    /// <inheritdoc />
    public bool Equals(AccountFeatures? other) =>
        other is not null
        && Amount.Equals(other.Amount)
        && AmountZScore.Equals(other.AmountZScore)
        && HistoryCount == other.HistoryCount
        && HistoryMean.Equals(other.HistoryMean)
        && HistoryStdDev.Equals(other.HistoryStdDev)
        && SecondsSincePrevious.Equals(other.SecondsSincePrevious)
        && HourOfDay == other.HourOfDay
        && IsNewMerchant == other.IsNewMerchant
        && IsNewCountry == other.IsNewCountry
        && IsNewDevice == other.IsNewDevice
        && Late == other.Late
        && Replayed == other.Replayed
        && Windows.SequenceEqual(other.Windows);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Amount, HistoryCount, SecondsSincePrevious, HourOfDay, Windows.Count > 0 ? Windows[0] : default);
}
