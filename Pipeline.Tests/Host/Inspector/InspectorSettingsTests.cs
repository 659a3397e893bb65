using System.Net;
using Akka.Configuration;
using Pipeline.Host.Hosting;
using Pipeline.Host.Inspector;
using Xunit;

namespace Pipeline.Tests.Host.Inspector;

public sealed class InspectorSettingsTests
{
    private static readonly Dictionary<string, string> NoEnvironment = new();

    [Fact]
    public void Create_should_bind_loopback_port_9110_without_a_token_from_the_reference_file_alone()
    {
        var settings = InspectorSettings.Create(PipelineConfigLoader.Load(NoEnvironment, null, null), NoEnvironment);

        Assert.True(settings.Enabled);
        Assert.Equal(IPAddress.Loopback, settings.Host);
        Assert.Equal(9110, settings.Port);
        Assert.Equal(string.Empty, settings.Token);
        Assert.Equal(1000, settings.LogBuffer);
    }

    [Fact]
    public void Create_should_take_the_token_from_the_environment_when_the_config_has_none_and_never_print_it()
    {
        var env = new Dictionary<string, string> { [InspectorSettings.TokenVariable] = "from-env" };

        var fromEnv = InspectorSettings.Create(PipelineConfigLoader.Load(NoEnvironment, null, null), env);
        var fromConfig = InspectorSettings.Create(PipelineConfigLoader.Load(NoEnvironment, null, "pipeline.inspector.token = from-config"), env);

        Assert.Equal("from-env", fromEnv.Token);
        Assert.Equal("from-config", fromConfig.Token);
        Assert.DoesNotContain("from-env", fromEnv.ToString());
        Assert.Contains("Token = ***", fromEnv.ToString());
    }

    [Fact]
    public void Create_should_name_the_key_when_the_host_is_not_an_address()
    {
        var config = PipelineConfigLoader.Load(NoEnvironment, null, "pipeline.inspector.host = localhost");

        var ex = Assert.Throws<ConfigurationException>(() => InspectorSettings.Create(config, NoEnvironment));

        Assert.Contains("pipeline.inspector.host", ex.Message);
        Assert.Contains("localhost", ex.Message);
    }
}
