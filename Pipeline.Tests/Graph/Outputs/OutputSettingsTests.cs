using Akka.Configuration;
using Pipeline.Graph.Outputs;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Graph.Outputs;

public sealed class OutputSettingsTests
{
    [Fact]
    public void Settings_should_enable_both_outputs_on_the_design_topics_when_built_from_the_reference_file_alone()
    {
        var settings = OutputSettings.Create(ReferenceConfigFile.Load());

        Assert.True(settings.ScoredEnabled);
        Assert.True(settings.DriftEnabled);
        Assert.Equal("scored-transactions", settings.ScoredTopic);
        Assert.Equal("drift-events", settings.DriftTopic);
        Assert.Equal("pipeline-scored", settings.ScoredProducer.ClientId);
        Assert.Equal("pipeline-drift", settings.DriftProducer.ClientId);
        Assert.Equal(1000, settings.DriftBufferSize);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.DriftRestartMinBackoff);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.DriftRestartMaxBackoff);
    }

    [Fact]
    public void Settings_should_turn_each_output_off_when_its_switch_is_off()
    {
        var settings = OutputSettings.Create(ReferenceConfigFile.With("pipeline.outputs.scored.enabled = off\npipeline.outputs.drift.enabled = off"));

        Assert.False(settings.ScoredEnabled);
        Assert.False(settings.DriftEnabled);
    }

    [Theory]
    [InlineData("pipeline.outputs.drift.buffer-size = 0", "buffer-size")]
    [InlineData("pipeline.outputs.drift.restart.max-backoff = 10ms", "max-backoff")]
    [InlineData("pipeline.topics.scored = \"\"", "topics.scored")]
    public void Settings_should_name_the_key_when_a_value_is_out_of_range(string overrides, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => OutputSettings.Create(ReferenceConfigFile.With(overrides)));

        Assert.Contains(key, error.Message);
    }
}
