using Pipeline.Models.Domain;
using Pipeline.Models.Features;
using Xunit;
using static Pipeline.Tests.Models.Features.FeatureTestData;

namespace Pipeline.Tests.Models.Features;

public sealed class AccountStateTests
{
    private const double Tolerance = 1e-9;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Process_should_match_a_brute_force_reference_when_the_stream_has_out_of_order_late_and_replayed_records(int seed)
    {
        var options = Options();
        var state = new AccountState(options);
        var stream = RandomStream(seed, 3000, options.AllowedLateness);
        var applied = new List<(long Ms, double Amount)>();
        var lateSeen = 0;
        var outOfOrderSeen = 0;
        var replaysSeen = 0;

        foreach (var (tx, position, isReplay) in stream)
        {
            var t = tx.Timestamp.ToUnixTimeMilliseconds();
            var maxBefore = applied.Count == 0 ? (long?)null : applied.Max(a => a.Ms);
            var historyBefore = applied.Select(a => a.Amount).ToList();

            var features = state.Process(tx, position);

            Assert.Equal(isReplay, features.Replayed);
            if (!isReplay) applied.Add((t, tx.Amount));
            var expectedLate = maxBefore is { } mb && t < mb - (long)options.AllowedLateness.TotalMilliseconds;
            Assert.Equal(expectedLate, features.Late);
            if (expectedLate) lateSeen++;
            if (maxBefore is { } m && t < m && !expectedLate && !isReplay) outOfOrderSeen++;
            if (isReplay) replaysSeen++;
            if (!isReplay)
            {
                Assert.Equal(historyBefore.Count, features.HistoryCount);
                Assert.Equal(historyBefore.Count == 0 ? 0 : historyBefore.Average(), features.HistoryMean, Tolerance * Math.Max(1, features.HistoryMean));
                Assert.Equal(historyBefore.Count < 2 ? 0 : PopulationStd(historyBefore), features.HistoryStdDev, 1e-6 * Math.Max(1, features.HistoryStdDev));
            }

            var maxNow = applied.Max(a => a.Ms);
            for (var w = 0; w < options.Windows.Count; w++)
            {
                var width = (long)options.Windows[w].TotalMilliseconds / options.BucketsPerWindow;
                var retained = options.BucketsPerWindow + (long)Math.Ceiling(options.AllowedLateness.TotalMilliseconds / width);
                var last = FloorDiv(t, width);
                var first = Math.Max(last - options.BucketsPerWindow + 1, FloorDiv(maxNow, width) - retained + 1);
                var inWindow = applied.Where(a => FloorDiv(a.Ms, width) >= first && FloorDiv(a.Ms, width) <= last).Select(a => a.Amount).ToList();
                var actual = features.Windows[w];
                Assert.Equal(options.Windows[w], actual.Length);
                Assert.Equal(inWindow.Count, actual.Count);
                Assert.Equal(inWindow.Sum(), actual.Sum, Tolerance * Math.Max(1, Math.Abs(actual.Sum)));
                Assert.Equal(inWindow.Count == 0 ? 0 : inWindow.Average(), actual.Mean, Tolerance * Math.Max(1, actual.Mean));
                Assert.Equal(inWindow.Count < 2 ? 0 : PopulationStd(inWindow), actual.StdDev, 1e-6 * Math.Max(1, actual.Mean));
            }
        }

        // The generator really exercised every path.
        Assert.True(lateSeen > 10, $"{lateSeen} late events");
        Assert.True(outOfOrderSeen > 100, $"{outOfOrderSeen} out-of-order events within lateness");
        Assert.True(replaysSeen > 50, $"{replaysSeen} replays");
    }

    [Fact]
    public void Process_should_put_an_out_of_order_event_within_lateness_in_its_own_bucket_when_a_later_event_arrived_first()
    {
        var state = new AccountState(Options());
        state.Process(Tx(Start.AddSeconds(59.5), 10), At(0));
        state.Process(Tx(Start.AddSeconds(61), 20), At(1)); // 1-minute window now covers seconds 2..61

        var late = state.Process(Tx(Start.AddSeconds(40), 5), At(2)); // 21 s behind: within 30 s lateness
        var after = state.Process(Tx(Start.AddSeconds(62), 1), At(3));

        Assert.False(late.Late);
        Assert.Equal(1, late.Windows[0].Count); // 59.5 s and 61 s lie in later buckets than 40 s: not in its window
        Assert.Equal(4, after.Windows[0].Count);
        Assert.Equal(36, after.Windows[0].Sum);
    }

    [Fact]
    public void Process_should_flag_and_apply_to_retained_buckets_only_when_an_event_is_later_than_the_allowed_lateness()
    {
        var state = new AccountState(Options());
        state.Process(Tx(Start.AddMinutes(10), 10), At(0));

        var late = state.Process(Tx(Start.AddMinutes(5), 7), At(1)); // 5 min behind: late; its 1-minute bucket is gone
        var next = state.Process(Tx(Start.AddMinutes(10).AddSeconds(1), 1), At(2));

        Assert.True(late.Late);
        Assert.Equal(0, late.Windows[0].Count); // its 1-minute bucket was evicted: not recreated
        Assert.Equal(1, late.Windows[1].Count); // added to its retained 1-hour bucket; the 10-minute event is later than it
        Assert.Equal(2, next.Windows[0].Count); // 10:00 and 10:01 in the last minute; the late 5:00 is not
        Assert.Equal(3, next.Windows[1].Count);
        Assert.Equal(2, next.HistoryCount); // the late event is history all the same
    }

    [Fact]
    public void Process_should_evict_old_buckets_and_bound_memory_when_an_account_keeps_transacting_for_days()
    {
        var state = new AccountState(Options());
        AccountFeatures last = null!;
        for (var i = 0; i < 5 * 24 * 60; i++) last = state.Process(Tx(Start.AddMinutes(i), 1), At(i));

        var maxBytes = state.AllocatedBytes;
        var idle = state.Process(Tx(Start.AddDays(9), 3), At(100_000));

        Assert.Equal(1, last.Windows[0].Count);
        Assert.Equal(60, last.Windows[1].Count);
        Assert.Equal(24 * 60, last.Windows[2].Count); // 60 buckets of 24 minutes, one event per minute
        Assert.Equal(1, idle.Windows[2].Count);
        Assert.Equal(3, idle.Windows[2].Sum);
        // Retained buckets per window: 60 + ceil(30 s / width): 90 + 61 + 61 = 212 at most, 28 bytes each.
        Assert.True(maxBytes <= (3 * 24) + (212 * 28) + (3 * (24 + (32 * 16))), $"{maxBytes} bytes");
        Assert.True(state.AllocatedBytes < maxBytes);
    }

    [Fact]
    public void Process_should_not_count_a_record_twice_when_it_is_delivered_again_on_the_same_partition()
    {
        var state = new AccountState(Options());
        state.Process(Tx(Start, 10), At(5));
        var second = Tx(Start.AddSeconds(1), 20);
        state.Process(second, At(9));

        var replay = state.Process(second, At(9));
        var older = state.Process(Tx(Start, 10), At(5));
        var otherPartition = state.Process(Tx(Start.AddSeconds(2), 1), At(3, partition: 1));

        Assert.True(replay.Replayed);
        Assert.True(older.Replayed);
        Assert.Equal(2, replay.Windows[0].Count);
        Assert.False(otherPartition.Replayed);
        Assert.Equal(3, otherPartition.Windows[0].Count);
        Assert.Equal(new RecordPosition("transactions", 1, 3), state.LastApplied);
    }

    [Fact]
    public void Process_should_report_history_z_score_gap_hour_and_novelty_from_before_the_transaction()
    {
        var state = new AccountState(Options());
        var first = state.Process(Tx(new DateTimeOffset(2025, 3, 1, 23, 30, 0, TimeSpan.FromHours(2)), 100, "m1", "DE", "d1"), At(0));
        state.Process(Tx(new DateTimeOffset(2025, 3, 1, 23, 31, 0, TimeSpan.FromHours(2)), 200, "m1", "DE", "d1"), At(1));

        var third = state.Process(Tx(new DateTimeOffset(2025, 3, 1, 23, 33, 30, TimeSpan.FromHours(2)), 450, "m2", "DE", "d2"), At(2));
        var fourth = state.Process(Tx(new DateTimeOffset(2025, 3, 1, 23, 34, 0, TimeSpan.FromHours(2)), 10, "m1", "FR"), At(3));

        Assert.Equal(86400, first.SecondsSincePrevious);
        Assert.True(first.IsNewMerchant && first.IsNewCountry && first.IsNewDevice);
        Assert.Equal(0, first.AmountZScore);
        Assert.Equal(23, third.HourOfDay); // the transaction's own offset, not UTC (21h)
        Assert.Equal(150, third.SecondsSincePrevious);
        Assert.Equal(2, third.HistoryCount);
        Assert.Equal(150, third.HistoryMean);
        Assert.Equal(50, third.HistoryStdDev);
        Assert.Equal(6, third.AmountZScore, 12);
        Assert.True(third.IsNewMerchant);
        Assert.False(third.IsNewCountry);
        Assert.True(third.IsNewDevice);
        Assert.Equal(2, third.Windows[1].DistinctMerchants);
        Assert.False(fourth.IsNewMerchant);
        Assert.True(fourth.IsNewCountry);
        Assert.False(fourth.IsNewDevice); // no device: never new
        Assert.Equal(2, fourth.Windows[0].DistinctMerchants);
        Assert.Equal(2, fourth.Windows[0].DistinctCountries);
    }

    [Fact]
    public void Process_should_count_distinct_values_exactly_in_order_and_cap_them_at_the_set_capacity()
    {
        var options = Options(merchants: 4);
        var state = new AccountState(options);
        var random = new Random(7);
        var events = new List<(long Ms, string Merchant, string Country)>();
        var at = Start;
        for (var i = 0; i < 2000; i++)
        {
            at = at.AddSeconds(random.Next(1, 600));
            var merchant = "m" + random.Next(6);
            var country = "C" + random.Next(3);
            events.Add((at.ToUnixTimeMilliseconds(), merchant, country));
            var features = state.Process(Tx(at, 1, merchant, country), At(i));
            for (var w = 0; w < options.Windows.Count; w++)
            {
                var width = (long)options.Windows[w].TotalMilliseconds / options.BucketsPerWindow;
                var from = (FloorDiv(at.ToUnixTimeMilliseconds(), width) - options.BucketsPerWindow + 1) * width;
                var inWindow = events.Where(e => e.Ms >= from).ToList();
                Assert.Equal(Math.Min(4, inWindow.Select(e => e.Merchant).Distinct().Count()), features.Windows[w].DistinctMerchants);
                Assert.Equal(inWindow.Select(e => e.Country).Distinct().Count(), features.Windows[w].DistinctCountries);
            }
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void FromBytes_should_restore_a_state_whose_future_features_are_identical_when_snapshotted_mid_stream(int seed)
    {
        var options = Options();
        var stream = RandomStream(seed, 1500, options.AllowedLateness).ToList();
        var uninterrupted = new AccountState(options);
        var expected = stream.Select(e => uninterrupted.Process(e.Tx, e.Position)).ToList();

        var first = new AccountState(options);
        foreach (var e in stream.Take(900)) first.Process(e.Tx, e.Position);
        var bytes = first.ToBytes();
        var restored = AccountState.FromBytes(bytes, options);
        var actual = stream.Skip(900).Select(e => restored.Process(e.Tx, e.Position)).ToList();

        Assert.Equal(expected.Skip(900), actual);
        Assert.Equal(bytes, AccountState.FromBytes(bytes, options).ToBytes());
    }

    [Fact]
    public void Process_should_give_identical_features_when_the_state_was_prefetched_before_each_record()
    {
        var options = Options();
        var stream = RandomStream(21, 1500, options.AllowedLateness).ToList();
        var plain = new AccountState(options);
        var expected = stream.Select(e => plain.Process(e.Tx, e.Position)).ToList();

        var prefetched = new AccountState(options);
        prefetched.Prefetch(); // before the first record: nothing allocated yet
        var actual = stream.Select(e =>
        {
            prefetched.Prefetch();
            return prefetched.Process(e.Tx, e.Position);
        }).ToList();

        Assert.Equal(expected, actual);
        Assert.Equal(plain.ToBytes(), prefetched.ToBytes());
    }

    [Fact]
    public void FromBytes_should_keep_history_and_drop_unknown_windows_when_the_window_configuration_changed()
    {
        var state = new AccountState(Options());
        for (var i = 0; i < 10; i++) state.Process(Tx(Start.AddMinutes(i), 10 + i, "m" + i), At(i));
        var changed = new AccountFeatureOptions([TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)], 60, TimeSpan.FromSeconds(30), 4, 16, 8);

        var restored = AccountState.FromBytes(state.ToBytes(), changed);
        var next = restored.Process(Tx(Start.AddMinutes(10), 1, "m9"), At(10));

        Assert.Equal(10, next.HistoryCount);
        Assert.Equal(11, next.Windows[0].Count); // the 1-hour window was kept
        Assert.Equal(1, next.Windows[1].Count); // the 5-minute window is new: it starts empty
        Assert.False(next.IsNewMerchant); // m9 is among the 4 most recent merchants kept
        Assert.Equal(4, next.Windows[0].DistinctMerchants);
    }

    [Fact]
    public void FromBytes_should_throw_invalid_data_when_the_snapshot_is_truncated_or_foreign()
    {
        var state = new AccountState(Options());
        state.Process(Tx(Start, 10), At(0));
        var bytes = state.ToBytes();

        Assert.Throws<InvalidDataException>(() => AccountState.FromBytes(bytes.AsSpan(0, bytes.Length - 3), Options()));
        Assert.Throws<InvalidDataException>(() => AccountState.FromBytes("HSTS\u0001garbage"u8, Options()));
        Assert.Throws<InvalidDataException>(() => AccountState.FromBytes([.. bytes, 0], Options()));
    }

    internal static IEnumerable<(Transaction Tx, RecordPosition Position, bool IsReplay)> RandomStream(int seed, int count, TimeSpan lateness)
    {
        var random = new Random(seed);
        var max = Start;
        var offset = 0L;
        var history = new List<(Transaction Tx, RecordPosition Position)>();
        for (var i = 0; i < count; i++)
        {
            var roll = random.NextDouble();
            if (roll < 0.04 && history.Count > 0)
            {
                var (tx, position) = history[random.Next(Math.Max(0, history.Count - 20), history.Count)];
                yield return (tx, position, true);
                continue;
            }

            DateTimeOffset at;
            if (roll < 0.25)
            {
                at = max - TimeSpan.FromMilliseconds(random.NextDouble() * lateness.TotalMilliseconds); // out of order, on time
            }
            else if (roll < 0.29)
            {
                at = max - lateness - TimeSpan.FromSeconds(1 + (random.NextDouble() * 7200)); // late
            }
            else
            {
                at = max + TimeSpan.FromMilliseconds(-Math.Log(1 - random.NextDouble()) * 40_000);
                max = at;
            }

            var amount = Math.Round(Math.Exp(3 + random.NextDouble() * 3), 2);
            var next = Tx(at, amount, "m" + random.Next(40), random.Next(10) == 0 ? "FR" : "DE");
            var pos = At(offset++);
            history.Add((next, pos));
            yield return (next, pos, false);
        }
    }

    private static long FloorDiv(long a, long b) => (long)Math.Floor((double)a / b);

    private static double PopulationStd(IReadOnlyCollection<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }
}
