using Pipeline.Models.Domain;
using Pipeline.Models.Synthetic;
using Xunit;

namespace Pipeline.Tests.Models.Synthetic;

public sealed class TransactionGeneratorTests
{
    private static readonly GeneratorOptions s_small = new()
    {
        Accounts = 50,
        Seed = 7,
        NormalCount = 1500,
        DriftCount = 500,
        AttackCount = 1000,
    };

    // The generated timestamps lie in 2024; a clock at the end of time keeps the future rule out of the way.
    private static readonly DecoderLimits s_limits = new() { Clock = new FixedClock(DateTimeOffset.MaxValue.AddDays(-1)) };

    [Fact]
    public void Generate_should_yield_identical_sequences_when_seed_is_the_same()
    {
        var first = TransactionGenerator.Generate(s_small).ToList();
        var second = TransactionGenerator.Generate(s_small).ToList();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Generate_should_yield_different_sequences_when_seeds_differ()
    {
        var a = TransactionGenerator.Generate(s_small).Select(g => g.Transaction.TransactionId).ToList();
        var b = TransactionGenerator.Generate(s_small with { Seed = 8 }).Select(g => g.Transaction.TransactionId).ToList();

        Assert.Empty(a.Intersect(b));
    }

    [Fact]
    public void Generate_should_yield_the_configured_count_per_phase_in_phase_order()
    {
        var phases = TransactionGenerator.Generate(s_small).Select(g => g.Phase).ToList();

        Assert.Equal(
            Enumerable.Repeat(GenerationPhase.Normal, 1500).Concat(Enumerable.Repeat(GenerationPhase.Drift, 500)).Concat(Enumerable.Repeat(GenerationPhase.Attack, 1000)),
            phases);
    }

    [Fact]
    public void Generate_should_mark_anomalies_only_in_the_attack_phase_at_about_the_attack_fraction()
    {
        var all = TransactionGenerator.Generate(s_small).ToList();

        var attack = all.Where(g => g.Phase == GenerationPhase.Attack).ToList();
        Assert.DoesNotContain(all, g => g.IsAnomaly && g.Phase != GenerationPhase.Attack);
        Assert.InRange(attack.Count(g => g.IsAnomaly) / (double)attack.Count, 0.07, 0.13);
    }

    [Fact]
    public void Generate_should_produce_only_payloads_that_decode_valid_and_equal()
    {
        var all = TransactionGenerator.Generate(s_small).ToList();

        foreach (var g in all)
        {
            var result = TransactionDecoder.Decode(TransactionJson.Serialize(g.Transaction), s_limits);
            Assert.True(result.IsValid, result.ToString());
            Assert.Equal(g.Transaction, result.Value);
        }
    }

    [Fact]
    public void Generate_should_keep_timestamps_non_decreasing_per_account()
    {
        var all = TransactionGenerator.Generate(s_small).ToList();

        foreach (var account in all.GroupBy(g => g.Transaction.AccountId))
        {
            var stamps = account.Select(g => g.Transaction.Timestamp).ToList();
            Assert.Equal(stamps.Order(), stamps);
        }

        Assert.Equal(s_small.Accounts, all.Select(g => g.Transaction.AccountId).Distinct().Count());
    }

    [Fact]
    public void Generate_should_make_each_label_due_label_delay_after_its_transaction()
    {
        var options = s_small with { LabelDelay = TimeSpan.FromMinutes(3) };

        var all = TransactionGenerator.Generate(options).ToList();

        Assert.All(all, g => Assert.Equal(g.Transaction.Timestamp + TimeSpan.FromMinutes(3), g.LabelDueAt));
        Assert.All(all, g => Assert.Equal(new TransactionLabel(g.Transaction.TransactionId, g.IsAnomaly, g.LabelDueAt), g.ToLabel()));
    }

    [Fact]
    public void Generate_should_give_every_transaction_a_unique_id()
    {
        var ids = TransactionGenerator.Generate(s_small).Select(g => g.Transaction.TransactionId).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Generate_should_use_luhn_valid_card_numbers_and_stable_per_account_identity()
    {
        var all = TransactionGenerator.Generate(s_small).Select(g => g.Transaction).ToList();

        var cards = all.Where(t => t.CardNumber is not null).GroupBy(t => t.AccountId).ToList();
        Assert.All(cards, g => Assert.Single(g.Select(t => t.CardNumber).Distinct()));
        Assert.All(cards, g => Assert.True(IsLuhnValid(g.First().CardNumber!), g.First().CardNumber));
        Assert.All(all.Where(t => t.Email is not null).GroupBy(t => t.AccountId), g => Assert.Single(g.Select(t => t.Email).Distinct()));
    }

    [Fact]
    public void Generate_should_shift_amounts_and_merchants_when_drift_has_happened()
    {
        var all = TransactionGenerator.Generate(s_small with { NormalCount = 3000, DriftCount = 1000, AttackCount = 3000, AttackFraction = 0 }).ToList();
        var before = all.Where(g => g.Phase == GenerationPhase.Normal).Select(g => g.Transaction).ToList();
        var after = all.Where(g => g.Phase == GenerationPhase.Attack).Select(g => g.Transaction).ToList();

        Assert.True(Median(after.Select(t => t.Amount)) > 1.4 * Median(before.Select(t => t.Amount)));
        Assert.DoesNotContain(before, t => t.MerchantId.StartsWith("mrc-n", StringComparison.Ordinal));
        Assert.InRange(after.Count(t => t.MerchantId.StartsWith("mrc-n", StringComparison.Ordinal)) / (double)after.Count, 0.15, 0.45);
    }

    [Fact]
    public void Generate_should_make_anomalies_stand_out_from_everyday_spending()
    {
        var all = TransactionGenerator.Generate(s_small with { AttackFraction = 0.2 }).ToList();
        var attack = all.Where(g => g.Phase == GenerationPhase.Attack).ToList();
        var frauds = attack.Where(g => g.IsAnomaly).Select(g => g.Transaction).ToList();
        var normal = attack.Where(g => !g.IsAnomaly).Select(g => g.Transaction).ToList();
        var homes = all.Where(g => !g.IsAnomaly).GroupBy(g => g.Transaction.AccountId).ToDictionary(g => g.Key, g => g.First().Transaction.Country);

        Assert.DoesNotContain(normal, t => t.Country != homes[t.AccountId]);
        Assert.True(frauds.Count(t => t.Country != homes[t.AccountId]) > frauds.Count / 2);
        Assert.DoesNotContain(normal, t => t.MerchantCategory is "crypto" or "wire_transfer" or "gift_cards");
        Assert.True(Median(frauds.Select(t => t.Amount)) > 3 * Median(normal.Select(t => t.Amount)));
    }

    [Fact]
    public void Generate_should_put_part_of_the_frauds_in_high_velocity_bursts_on_few_accounts()
    {
        var all = TransactionGenerator.Generate(s_small with { BurstShare = 1.0 }).ToList();
        var frauds = all.Where(g => g.IsAnomaly).Select(g => g.Transaction).ToList();

        var accounts = frauds.Select(t => t.AccountId).Distinct().Count();
        var runs = frauds.Zip(frauds.Skip(1)).Count(p => p.First.AccountId == p.Second.AccountId);
        Assert.InRange(accounts, 1, Math.Clamp(s_small.Accounts / 40, 1, 10));
        Assert.True(runs > frauds.Count / 2, $"{runs} consecutive same-account frauds of {frauds.Count}");
    }

    [Fact]
    public void Options_should_reject_out_of_range_values_naming_the_property()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GeneratorOptions { AttackFraction = 1.5 });

        Assert.Equal(nameof(GeneratorOptions.AttackFraction), e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeneratorOptions { Accounts = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeneratorOptions { MeanInterArrival = TimeSpan.Zero });
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static bool IsLuhnValid(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }

            sum += d;
        }

        return digits.Length == 16 && sum % 10 == 0;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
