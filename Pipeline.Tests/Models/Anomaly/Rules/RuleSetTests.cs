using Pipeline.Models.Anomaly.Rules;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly.Rules;

public sealed class RuleSetTests
{
    private static RuleFiring[] Fire(RuleSet set, TransactionContext context)
    {
        var firings = new List<RuleFiring>();
        set.Evaluate(context, firings);
        return firings.ToArray();
    }

    [Fact]
    public void RuleSet_should_fire_nothing_when_the_transaction_is_ordinary()
    {
        var set = RuleSet.FromOptions(RuleContexts.AllEnabled);

        Assert.Empty(Fire(set, RuleContexts.Ordinary));
        Assert.Equal(7, set.Rules.Count);
    }

    [Fact]
    public void RuleSet_should_not_allocate_when_nothing_fires()
    {
        var set = RuleSet.FromOptions(RuleContexts.AllEnabled);
        var firings = new List<RuleFiring>(8);
        var context = RuleContexts.Ordinary;
        set.Evaluate(context, firings);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            set.Evaluate(context, firings);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Empty(firings);
    }

    [Theory]
    [InlineData(5000.0, false)]
    [InlineData(5000.01, true)]
    public void AmountAboveRule_should_fire_only_when_the_amount_is_strictly_above_the_threshold(double amount, bool fires)
    {
        var rule = new AmountAboveRule(new AmountThresholdRuleOptions { Threshold = 5000.0, Weight = 0.6 });

        var fired = rule.TryEvaluate(RuleContexts.Ordinary with { Amount = amount }, out var firing);

        Assert.Equal(fires, fired);
        if (fires)
        {
            Assert.Equal(new RuleFiring("amount_above_threshold", "amount 5000.01 is above the limit 5000.00", 5000.01, 5000.0, 0.6), firing);
        }
    }

    [Theory]
    [InlineData(1.0, false)]
    [InlineData(0.5, true)]
    public void AmountBelowRule_should_fire_only_when_the_amount_is_strictly_below_the_threshold(double amount, bool fires)
    {
        var rule = new AmountBelowRule(new AmountThresholdRuleOptions { Threshold = 1.0, Weight = 0.2 });

        var fired = rule.TryEvaluate(RuleContexts.Ordinary with { Amount = amount }, out var firing);

        Assert.Equal(fires, fired);
        Assert.Equal(fires ? "amount_below_threshold" : null, firing?.ReasonCode);
    }

    [Theory]
    [InlineData(9, 500.0, false)]
    [InlineData(10, 500.0, true)]
    [InlineData(10, 75.0, false)]
    [InlineData(10, 80.0, true)]
    [InlineData(10, 0.01, false)]
    public void DeviationFromAccountMeanRule_should_fire_only_when_the_history_is_long_enough_and_the_z_score_reaches_the_minimum(long history, double amount, bool fires)
    {
        var rule = new DeviationFromAccountMeanRule(new DeviationRuleOptions { MinZScore = 4.0, MinSampleCount = 10, MinStdDev = 1.0, Weight = 0.5 });

        var fired = rule.TryEvaluate(RuleContexts.Ordinary with { Amount = amount, HistoryCount = history }, out var firing);

        Assert.Equal(fires, fired);
        if (fires)
        {
            Assert.Equal("deviation_from_account_mean", firing!.ReasonCode);
            Assert.Equal((amount - 40.0) / 10.0, firing.Observed, 12);
            Assert.Equal(4.0, firing.Limit);
        }
    }

    [Fact]
    public void DeviationFromAccountMeanRule_should_use_the_standard_deviation_floor_when_the_history_is_constant()
    {
        var rule = new DeviationFromAccountMeanRule(new DeviationRuleOptions { MinZScore = 4.0, MinSampleCount = 10, MinStdDev = 2.0, Weight = 0.5 });
        var context = RuleContexts.Ordinary with { HistoryStdDev = 0.0, HistoryMean = 10.0, Amount = 18.0 };

        var fired = rule.TryEvaluate(context, out var firing);

        Assert.True(fired);
        Assert.Equal(4.0, firing!.Observed);
        Assert.Equal("amount 18.00 is 4.0 standard deviations above the account mean 10.00 over 50 transactions", firing.Message);
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(11, true)]
    public void VelocityRule_should_fire_only_when_the_window_count_exceeds_the_maximum(int count, bool fires)
    {
        var rule = new VelocityRule(new VelocityRuleOptions { MaxCount = 10, Weight = 0.5 });

        var fired = rule.TryEvaluate(RuleContexts.Ordinary with { VelocityCount = count }, out var firing);

        Assert.Equal(fires, fired);
        Assert.Equal(fires ? 11.0 : (double?)null, firing?.Observed);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void Novelty_rules_should_fire_only_when_the_account_has_the_minimum_history(long history, bool fires)
    {
        var set = RuleSet.FromOptions(RuleContexts.AllEnabled);
        var context = RuleContexts.Ordinary with
        {
            HistoryCount = history,
            IsNewCountry = true,
            IsNewMerchant = true,
            IsNewDevice = true,
            Country = "FR",
        };

        var codes = Fire(set, context).Select(f => f.ReasonCode).ToArray();

        Assert.Equal(fires ? new[] { "new_country", "new_merchant", "new_device" } : Array.Empty<string>(), codes);
    }

    [Fact]
    public void NewCountryRule_should_name_the_country_when_it_fires()
    {
        var rule = new NewCountryRule(new NoveltyRuleOptions { MinHistoryCount = 1, Weight = 0.3 });

        rule.TryEvaluate(RuleContexts.Ordinary with { IsNewCountry = true, Country = "BR" }, out var firing);

        Assert.Equal("first transaction with country BR after 50 earlier transactions", firing!.Message);
    }

    [Fact]
    public void RuleSet_should_explain_every_firing_in_a_sentence_that_is_written_only_when_it_is_read()
    {
        var set = RuleSet.FromOptions(RuleContexts.AllEnabled);
        var context = RuleContexts.Ordinary with
        {
            Amount = 9000.0,
            VelocityCount = 40,
            IsNewCountry = true,
            IsNewMerchant = true,
            IsNewDevice = true,
            Country = "FR",
            MerchantId = "m-17",
            DeviceId = "d-3",
        };
        var firings = new List<RuleFiring>(8);
        set.Evaluate(context, firings);

        // Firing allocates the firing objects only: no sentence is formatted until someone reads it (alerts).
        firings.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        set.Evaluate(context, firings);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var messages = firings.ToDictionary(f => f.ReasonCode, f => f.Message);
        var withMessages = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("first transaction with merchant m-17 after 50 earlier transactions", messages["new_merchant"]);
        Assert.Equal("first transaction with device d-3 after 50 earlier transactions", messages["new_device"]);
        Assert.Equal("first transaction with country FR after 50 earlier transactions", messages["new_country"]);
        Assert.StartsWith("amount 9000.00 is above the limit ", messages["amount_above_threshold"]);
        Assert.Equal("40 transactions in the velocity window, more than the limit 10", messages["velocity_exceeded"]);
        Assert.StartsWith("amount 9000.00 is ", messages["deviation_from_account_mean"]);
        Assert.Same(firings[0].Message, firings[0].Message);
        Assert.True(withMessages - allocated > allocated / 2, $"firing allocated {allocated} B, reading the sentences {withMessages - allocated} B more");
    }

    [Fact]
    public void RuleSet_should_only_build_the_enabled_rules_when_created_from_options()
    {
        var options = new RuleSetOptions { Velocity = new VelocityRuleOptions { MaxCount = 1, Weight = 1.0 } };

        var set = RuleSet.FromOptions(options);
        var firings = Fire(set, RuleContexts.Ordinary with { Amount = 1e9, VelocityCount = 5, IsNewCountry = true });

        Assert.Equal(new[] { "velocity_exceeded" }, firings.Select(f => f.ReasonCode));
    }

    [Fact]
    public void RuleSet_should_reject_two_rules_when_they_share_a_reason_code()
    {
        var options = new AmountThresholdRuleOptions { Threshold = 1.0, Weight = 0.1 };

        Assert.Throws<ArgumentException>(() => new RuleSet(new IRule[] { new AmountAboveRule(options), new AmountAboveRule(options) }));
    }

    [Fact]
    public void DeviationRuleOptions_should_name_the_option_when_the_min_sample_count_is_too_small()
    {
        var options = new DeviationRuleOptions { MinZScore = 3.0, MinSampleCount = 1, MinStdDev = 1.0, Weight = 0.5 };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("MinSampleCount", e.ParamName);
    }
}
