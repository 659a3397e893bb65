using Akka.Configuration;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Anomaly.Rules;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Scoring;

public sealed class ScoringSettingsTests
{
    [Fact]
    public void ScoringSettings_should_build_every_scoring_component_when_read_from_the_reference_file_alone()
    {
        var settings = ScoringSettings.Create(ReferenceConfigFile.Load());

        var rules = settings.CreateRuleSet();
        var threshold = settings.CreateThreshold();
        var buckets = settings.CreateSeverityBuckets();
        var scaler = settings.CreateScaler(new[] { "amount", "hour_of_day" });
        var scorer = settings.CreateEnsembleScorer();
        var baseline = settings.CreateBaseline(2);

        Assert.Equal(ScalerKind.OnlineMinMax, settings.ScalerKind);
        Assert.IsType<OnlineMinMaxScaler>(scaler);
        Assert.Equal(
            new[] { "amount_above_threshold", "deviation_from_account_mean", "velocity_exceeded", "new_country", "new_merchant", "new_device" },
            rules.Rules.Select(r => r.ReasonCode));
        Assert.Null(settings.Rules.AmountBelow);
        Assert.Equal(settings.Threshold.Initial, threshold.Threshold);
        Assert.True(buckets.Medium < buckets.High && buckets.High < buckets.Critical);
        Assert.InRange(scorer.Score(0.5, Array.Empty<RuleFiring>(), 1.0).Total, 0.0, 1.0);
        Assert.Equal(2, baseline.FeatureCount);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.VelocityWindow);
        Assert.True(settings.HstTrees >= 1 && settings.HstHeight >= 1 && settings.HstWindowSize >= 1);
        Assert.True(settings.ExplanationTopK >= 1);
    }

    [Theory]
    [InlineData("pipeline.scoring.threshold.step = 2.0", "pipeline.scoring.threshold.step", "(0, 1]")]
    [InlineData("pipeline.scoring.threshold.initial = 0.99", "pipeline.scoring.threshold.initial", "[0.5, 0.95]")]
    [InlineData("pipeline.scoring.severity.high = 0.7", "pipeline.scoring.severity.high", "(0.75, 1]")]
    [InlineData("pipeline.scoring.rules.deviation.min-samples = 1", "pipeline.scoring.rules.deviation.min-samples", "[2, ")]
    [InlineData("pipeline.scoring.rules.new-device.enabled = maybe", "pipeline.scoring.rules.new-device.enabled", "on/off")]
    [InlineData("pipeline.scoring.scaler.kind = zscore", "pipeline.scoring.scaler.kind", "\"online-min-max\"")]
    [InlineData("pipeline.scoring.hst.trees = ten", "pipeline.scoring.hst.trees", "[1, 1000]")]
    [InlineData("pipeline.scoring.rules.velocity.window = soon", "pipeline.scoring.rules.velocity.window", "duration")]
    public void ScoringSettings_should_name_the_key_value_and_range_when_a_value_is_invalid(string overrides, string key, string range)
    {
        var config = ReferenceConfigFile.With(overrides);

        var e = Assert.Throws<ConfigurationException>(() => ScoringSettings.Create(config));

        Assert.StartsWith(key + " = ", e.Message);
        Assert.Contains(range, e.Message);
    }

    [Fact]
    public void ScoringSettings_should_name_the_key_when_it_is_missing()
    {
        var text = ReferenceConfigFile.Text().Replace("z-score-half-point = 3.0", string.Empty, StringComparison.Ordinal);

        var e = Assert.Throws<ConfigurationException>(() => ScoringSettings.Create(ConfigurationFactory.ParseString(text)));

        Assert.Contains("pipeline.scoring.ensemble.z-score-half-point is missing", e.Message);
    }

    [Fact]
    public void ScoringSettings_should_build_a_fixed_limits_scaler_when_limits_cover_every_feature()
    {
        var config = ReferenceConfigFile.With("""
            pipeline.scoring.scaler {
              kind = "fixed-limits"
              fixed-limits { amount = [0, 1000], hour_of_day = [0, 23] }
            }
            """);
        var settings = ScoringSettings.Create(config);
        var values = new[] { 250.0, 23.0 };

        settings.CreateScaler(new[] { "amount", "hour_of_day" }).Transform(values);
        var missing = Assert.Throws<ConfigurationException>(() => settings.CreateScaler(new[] { "amount", "velocity_1m" }));

        Assert.Equal(new[] { 0.25, 1.0 }, values);
        Assert.Contains("\"velocity_1m\"", missing.Message);
    }

    [Fact]
    public void ScoringSettings_should_name_the_feature_when_its_fixed_limits_are_not_ascending()
    {
        var config = ReferenceConfigFile.With("""pipeline.scoring.scaler.fixed-limits { amount = [10, 5] }""");

        var e = Assert.Throws<ConfigurationException>(() => ScoringSettings.Create(config));

        Assert.StartsWith("pipeline.scoring.scaler.fixed-limits.amount = ", e.Message);
    }

    [Fact]
    public void ScoringSettings_should_refuse_fixed_limits_scaling_when_no_limits_are_configured()
    {
        var config = ReferenceConfigFile.With("""pipeline.scoring.scaler.kind = "fixed-limits" """);

        var e = Assert.Throws<ConfigurationException>(() => ScoringSettings.Create(config));

        Assert.StartsWith("pipeline.scoring.scaler.fixed-limits = ", e.Message);
    }

    [Fact]
    public void ScoringSettings_should_leave_a_rule_out_when_it_is_disabled()
    {
        var config = ReferenceConfigFile.With("pipeline.scoring.rules.velocity.enabled = off\npipeline.scoring.rules.amount-below.enabled = on");

        var settings = ScoringSettings.Create(config);

        Assert.Null(settings.Rules.Velocity);
        Assert.NotNull(settings.Rules.AmountBelow);
        Assert.DoesNotContain(settings.CreateRuleSet().Rules, r => r.ReasonCode == VelocityRule.Code);
    }
}
