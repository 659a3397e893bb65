using Akka.Configuration;
using Pipeline.Graph.Drift;
using Pipeline.Models.Drift;
using Pipeline.Tests.Graph.Scoring;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Drift;

public sealed class DriftSettingsTests
{
    [Fact]
    public void DriftSettings_should_build_both_detectors_when_read_from_the_reference_file_alone()
    {
        var settings = DriftSettings.Create(ReferenceConfigFile.Load());

        var adwin = settings.CreateAdwin();
        var ddm = settings.CreateDdm();

        Assert.Equal(new AdwinOptions(), settings.Adwin);
        Assert.Equal(new DdmOptions(), settings.Ddm);
        Assert.Equal(settings.Adwin, adwin.Options);
        Assert.Equal(settings.Ddm, ddm.Options);
        Assert.True(settings.AdwinCooldownEvents > 0);
        Assert.True(settings.DdmCooldownEvents > 0);
    }

    [Theory]
    [InlineData("pipeline.drift.adwin.delta = 1.5", "pipeline.drift.adwin.delta", "(0, 1)")]
    [InlineData("pipeline.drift.adwin.max-buckets = 1", "pipeline.drift.adwin.max-buckets", "[2, 1024]")]
    [InlineData("pipeline.drift.ddm.warning-threshold = 4.0", "pipeline.drift.ddm.warning-threshold", "(0, 3]")]
    [InlineData("pipeline.drift.ddm.cooldown-events = -1", "pipeline.drift.ddm.cooldown-events", "[0, ")]
    public void DriftSettings_should_name_the_key_value_and_range_when_a_value_is_invalid(string overrides, string key, string range)
    {
        var e = Assert.Throws<ConfigurationException>(() => DriftSettings.Create(ReferenceConfigFile.With(overrides)));

        Assert.StartsWith(key + " = ", e.Message);
        Assert.Contains(range, e.Message);
    }

    [Fact]
    public void DriftSettings_should_name_the_key_when_it_is_missing()
    {
        var config = ConfigurationFactory.ParseString("pipeline.drift.adwin { delta = 0.002 }");

        var e = Assert.Throws<ConfigurationException>(() => DriftSettings.Create(config));

        Assert.Contains("pipeline.drift.ddm.drift-threshold is missing", e.Message);
    }
}
