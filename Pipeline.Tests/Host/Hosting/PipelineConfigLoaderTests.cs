using Akka.Configuration;
using Pipeline.Host.Hosting;
using Xunit;

namespace Pipeline.Tests.Host.Hosting;

public sealed class PipelineConfigLoaderTests
{
    private static readonly Dictionary<string, string> NoEnvironment = new();

    [Fact]
    public void Load_should_build_every_host_setting_from_the_reference_file_alone()
    {
        var config = PipelineConfigLoader.Load(NoEnvironment, null, null);

        var options = RunOptions.Create(config);

        Assert.True(options.Embedded);
        Assert.Equal("transactions", options.Graph.TransactionsTopic);
        Assert.Equal("sqlite", options.Graph.Store.Kind);
    }

    [Fact]
    public void Load_should_apply_overlay_then_environment_then_command_line_in_that_precedence()
    {
        var dir = Directory.CreateTempSubdirectory();
        var overlay = Path.Combine(dir.FullName, "mine.conf");
        File.WriteAllText(overlay, "pipeline.store.batch-size = 11\npipeline.progress-interval = 7s\npipeline.topics.transactions = from-overlay");
        var env = new Dictionary<string, string> { ["PIPELINE_STORE"] = "none", ["PIPELINE_CONFIG"] = "ignored-when-flag-given" };

        var config = PipelineConfigLoader.Load(env, overlay, "pipeline.topics.transactions = from-command-line; pipeline.store.kind = sqlite");

        Assert.Equal(11, config.GetInt("pipeline.store.batch-size"));
        Assert.Equal(TimeSpan.FromSeconds(7), config.GetTimeSpan("pipeline.progress-interval"));
        Assert.Equal("from-command-line", config.GetString("pipeline.topics.transactions"));
        Assert.Equal("sqlite", config.GetString("pipeline.store.kind"));
    }

    [Fact]
    public void Load_should_switch_to_external_mode_when_kafka_bootstrap_servers_is_set()
    {
        var env = new Dictionary<string, string> { ["KAFKA_BOOTSTRAP_SERVERS"] = "broker-a:9092,broker-b:9092", ["PIPELINE_PII_KEY"] = new string('k', 40) };

        var options = RunOptions.Create(PipelineConfigLoader.Load(env, null, null));

        Assert.False(options.Embedded);
        Assert.Equal("broker-a:9092,broker-b:9092", options.Graph.Consumer.Properties["bootstrap.servers"]);
    }

    [Fact]
    public void Create_should_refuse_to_run_outside_the_embedded_mode_when_no_pii_key_is_configured()
    {
        var env = new Dictionary<string, string> { ["KAFKA_BOOTSTRAP_SERVERS"] = "broker-a:9092" };

        var ex = Assert.Throws<ConfigurationException>(() => RunOptions.Create(PipelineConfigLoader.Load(env, null, null)));

        Assert.Contains("PIPELINE_PII_KEY", ex.Message);
    }

    [Fact]
    public void Load_should_name_the_file_when_an_overlay_is_missing()
    {
        var ex = Assert.Throws<ConfigurationException>(() => PipelineConfigLoader.Load(NoEnvironment, "no-such-overlay", null));

        Assert.Contains("no-such-overlay.conf", ex.Message);
    }

    [Fact]
    public void Create_should_name_the_key_and_range_when_a_value_is_out_of_range()
    {
        var config = PipelineConfigLoader.Load(NoEnvironment, null, "pipeline.store.batch-size = 0");

        var ex = Assert.Throws<ConfigurationException>(() => RunOptions.Create(config));

        Assert.Contains("'pipeline.store.batch-size'", ex.Message);
        Assert.Contains("[1, 100000]", ex.Message);
    }

    [Fact]
    public void Load_should_refuse_a_misspelt_key_naming_it_and_where_it_was_given()
    {
        var dir = Directory.CreateTempSubdirectory();
        var overlay = Path.Combine(dir.FullName, "typo.conf");
        File.WriteAllText(overlay, "pipeline { store { batch-size = 10, flush-intervall = 1s } }");

        var fromCommandLine = Assert.Throws<ConfigurationException>(() => PipelineConfigLoader.Load(NoEnvironment, null, "pipeline.store.batch-sise = 5000"));
        var fromOverlay = Assert.Throws<ConfigurationException>(() => PipelineConfigLoader.Load(NoEnvironment, overlay, null));

        Assert.Contains("--set", fromCommandLine.Message);
        Assert.Contains("unknown setting 'pipeline.store.batch-sise'", fromCommandLine.Message);
        Assert.Contains(overlay, fromOverlay.Message);
        Assert.Contains("unknown setting 'pipeline.store.flush-intervall'", fromOverlay.Message);
    }

    [Fact]
    public void Load_should_accept_keys_of_open_blocks_settings_outside_pipeline_and_every_environment_variable()
    {
        var environment = PipelineConfigLoader.EnvironmentMappings.ToDictionary(m => m.Variable, _ => "value");

        var config = PipelineConfigLoader.Load(environment, null, string.Join("; ",
            "pipeline.kafka.consumer.kafka-clients.fetch.wait.max.ms = 20",
            "pipeline.scoring.scaler.fixed-limits.amount = [0, 10000]",
            "akka.loglevel = INFO"));

        Assert.Equal("20", config.GetString("pipeline.kafka.consumer.kafka-clients.fetch.wait.max.ms"));
        Assert.Equal("value", config.GetString("pipeline.store.postgres.connection-string"));
    }

    [Fact]
    public void Load_should_ship_a_docker_overlay_that_only_overrides_reference_keys()
    {
        var reference = PipelineConfigLoader.Load(NoEnvironment, null, null);
        var docker = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(PipelineConfigLoader.HoconDirectory, "docker.conf")));

        foreach (var key in Flatten(docker.Root, string.Empty))
        {
            Assert.True(reference.HasPath(key), $"docker.conf sets '{key}', which reference.conf does not define");
        }

        Assert.False(RunOptions.Create(PipelineConfigLoader.Load(new Dictionary<string, string> { ["PIPELINE_PII_KEY"] = new string('k', 40) }, "docker", null)).Embedded);
    }

    private static IEnumerable<string> Flatten(Akka.Configuration.Hocon.HoconValue value, string prefix)
    {
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }

        foreach (var (k, child) in value.GetObject().Items)
        {
            var key = k.Contains('.') ? $"\"{k}\"" : k;
            foreach (var leaf in Flatten(child, prefix.Length == 0 ? key : $"{prefix}.{key}")) yield return leaf;
        }
    }
}
