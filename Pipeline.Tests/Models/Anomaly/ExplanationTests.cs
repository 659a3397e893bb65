using Pipeline.Models.Anomaly;
using Pipeline.Models.Anomaly.Rules;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class ExplanationTests
{
    private static readonly string[] Names = { "amount", "amount_zscore", "hour_of_day", "distinct_countries_24h", "seconds_since_previous" };

    [Fact]
    public void Explanation_should_list_the_most_deviating_features_first_when_limited_to_top_k()
    {
        double[] scaled = { 0.9, 0.95, 0.5, double.NaN, 0.4 };
        double[] reference = { 0.2, 0.1, 0.5, 0.3, 0.3 };

        var explanation = Explanation.Create(Names, scaled, reference, 2, Array.Empty<RuleFiring>());

        Assert.Equal(new[] { "amount_zscore", "amount" }, explanation.TopFeatures.Select(f => f.Name));
        Assert.Equal(0.85, explanation.TopFeatures[0].Deviation, 12);
        Assert.Equal(0.95, explanation.TopFeatures[0].Value);
        Assert.Equal(0.1, explanation.TopFeatures[0].Reference);
    }

    [Fact]
    public void Explanation_should_skip_missing_and_non_deviating_features_and_keep_feature_order_on_ties()
    {
        double[] scaled = { 0.6, 0.6, 0.5, double.NaN, 0.6 };
        double[] reference = { 0.5, 0.5, 0.5, 0.3, double.NaN };

        var explanation = Explanation.Create(Names, scaled, reference, 10, Array.Empty<RuleFiring>());

        Assert.Equal(new[] { "amount", "amount_zscore" }, explanation.TopFeatures.Select(f => f.Name));
    }

    [Fact]
    public void Explanation_should_keep_the_fired_rules_when_the_caller_reuses_its_list()
    {
        var firings = new List<RuleFiring> { new("new_country", "first transaction with country FR", 12, 3, 0.3) };
        double[] values = { 0.1, 0.1, 0.1, 0.1, 0.1 };

        var explanation = Explanation.Create(Names, values, values, 3, firings);
        firings.Clear();

        Assert.Equal("new_country", Assert.Single(explanation.Rules).ReasonCode);
        Assert.Empty(explanation.TopFeatures);
    }

    [Fact]
    public void Explanation_should_reject_inputs_when_their_lengths_differ()
    {
        Assert.Throws<ArgumentException>(() => Explanation.Create(Names, new double[4], new double[5], 3, Array.Empty<RuleFiring>()));
    }
}
