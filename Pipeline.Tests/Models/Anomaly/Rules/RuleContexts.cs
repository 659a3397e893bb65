using Pipeline.Models.Anomaly.Rules;

namespace Pipeline.Tests.Models.Anomaly.Rules;

internal static class RuleContexts
{
    /// <summary>An ordinary transaction of an established account: no rule should fire.</summary>
    public static TransactionContext Ordinary => new()
    {
        Amount = 42.0,
        HistoryMean = 40.0,
        HistoryStdDev = 10.0,
        HistoryCount = 50,
        VelocityCount = 2,
        Country = "DE",
        MerchantId = "m-17",
        DeviceId = "d-1",
    };

    public static RuleSetOptions AllEnabled => new()
    {
        AmountAbove = new AmountThresholdRuleOptions { Threshold = 5000.0, Weight = 0.6 },
        AmountBelow = new AmountThresholdRuleOptions { Threshold = 1.0, Weight = 0.2 },
        Deviation = new DeviationRuleOptions { MinZScore = 4.0, MinSampleCount = 10, MinStdDev = 1.0, Weight = 0.5 },
        Velocity = new VelocityRuleOptions { MaxCount = 10, Weight = 0.5 },
        NewCountry = new NoveltyRuleOptions { MinHistoryCount = 3, Weight = 0.3 },
        NewMerchant = new NoveltyRuleOptions { MinHistoryCount = 3, Weight = 0.1 },
        NewDevice = new NoveltyRuleOptions { MinHistoryCount = 3, Weight = 0.2 },
    };
}
