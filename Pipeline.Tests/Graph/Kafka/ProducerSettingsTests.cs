using Akka.Configuration;
using Pipeline.Graph.Kafka;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Kafka;

public sealed class ProducerSettingsTests
{
    private static readonly Lazy<Config> Reference = new(LoadReference);

    private static ProducerSettings<string, string> FromReference() =>
        ProducerSettings<string, string>.Create(Reference.Value.GetConfig("pipeline.kafka.producer"), null, null);

    private static ProducerSettings<string, string> FromOverride(string hocon) =>
        ProducerSettings<string, string>.Create(
            ConfigurationFactory.ParseString(hocon).WithFallback(Reference.Value).GetConfig("pipeline.kafka.producer"),
            null,
            null);

    [Fact]
    public void Create_should_read_every_key_from_the_reference_file_alone()
    {
        var settings = FromReference();

        Assert.Equal(10_000, settings.Parallelism);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.FlushTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(10), settings.QueueFullRetryInterval);
        Assert.Equal("pipeline-producer", settings.ClientId);
        Assert.Equal("localhost:9092", settings.Properties["bootstrap.servers"]);
        settings.Validate();
    }

    [Fact]
    public void Create_should_default_to_acks_all_and_idempotence_without_warnings()
    {
        var settings = FromReference();

        Assert.Equal("all", settings.Properties["acks"]);
        Assert.Equal("true", settings.Properties["enable.idempotence"]);
        Assert.Empty(settings.Warnings);
    }

    [Fact]
    public void Create_should_name_the_key_when_one_is_missing()
    {
        var block = ConfigurationFactory.ParseString("flush-timeout = 1s\nqueue-full-retry-interval = 10ms\nkafka-clients {}");

        var ex = Assert.Throws<KafkaConfigurationException>(() => ProducerSettings<string, string>.Create(block, null, null));

        Assert.Contains("pipeline.kafka.producer.parallelism", ex.Message);
    }

    [Fact]
    public void Create_should_name_key_value_and_range_when_parallelism_is_out_of_range()
    {
        var ex = Assert.Throws<KafkaConfigurationException>(() => FromOverride("pipeline.kafka.producer.parallelism = 0"));

        Assert.Contains("pipeline.kafka.producer.parallelism = 0", ex.Message);
        Assert.Contains("1 to 1000000", ex.Message);
    }

    [Fact]
    public void Create_should_name_key_value_and_range_when_a_duration_is_out_of_range()
    {
        var ex = Assert.Throws<KafkaConfigurationException>(() => FromOverride("pipeline.kafka.producer.queue-full-retry-interval = 30s"));

        Assert.Contains("queue-full-retry-interval = 30000ms", ex.Message);
        Assert.Contains("1ms to 10000ms", ex.Message);
    }

    [Fact]
    public void Create_should_take_the_defaults_when_a_per_topic_block_falls_back_to_the_producer_block()
    {
        var overlay = ConfigurationFactory.ParseString("alerts-producer.kafka-clients.client.id = alerts");
        var block = overlay.GetConfig("alerts-producer").WithFallback(Reference.Value.GetConfig("pipeline.kafka.producer"));

        var settings = ProducerSettings<string, string>.Create(block, null, null, "alerts-producer");

        Assert.Equal("alerts", settings.ClientId);
        Assert.Equal("all", settings.Properties["acks"]);
        Assert.Equal(10_000, settings.Parallelism);
    }

    [Fact]
    public void Validate_should_refuse_idempotence_with_acks_other_than_all_naming_both_keys()
    {
        var settings = FromReference().WithProperty("acks", "1");

        var ex = Assert.Throws<KafkaConfigurationException>(settings.Validate);

        Assert.Contains("\"acks\" = '1'", ex.Message);
        Assert.Contains("enable.idempotence", ex.Message);
    }

    [Fact]
    public void Validate_should_refuse_more_than_five_requests_in_flight_with_idempotence()
    {
        var settings = FromReference().WithProperty("max.in.flight.requests.per.connection", "6");

        var ex = Assert.Throws<KafkaConfigurationException>(settings.Validate);

        Assert.Contains("\"max.in.flight.requests.per.connection\" = 6", ex.Message);
        Assert.Contains("allowed 1 to 5", ex.Message);
    }

    [Theory]
    [InlineData("dotnet.producer.enable.delivery.reports", "false")]
    [InlineData("dotnet.producer.enable.background.poll", "false")]
    [InlineData("transactional.id", "tx-1")]
    public void Validate_should_refuse_settings_the_stage_cannot_work_with(string key, string value)
    {
        var settings = FromReference().WithProperty(key, value);

        var ex = Assert.Throws<KafkaConfigurationException>(settings.Validate);

        Assert.Contains(key, ex.Message);
        Assert.Contains(value, ex.Message);
    }

    [Fact]
    public void Validate_should_refuse_an_unknown_librdkafka_key_naming_its_origin()
    {
        var settings = FromOverride("pipeline.kafka.producer.kafka-clients.no.such.key = 1");

        var ex = Assert.Throws<KafkaConfigurationException>(settings.Validate);

        Assert.Contains("pipeline.kafka.producer.kafka-clients.\"no.such.key\"", ex.Message);
    }

    [Fact]
    public void Warnings_should_explain_the_risk_when_idempotence_is_off_and_requests_may_overlap()
    {
        var settings = FromReference().WithProperty("enable.idempotence", "off");

        var warning = Assert.Single(settings.Warnings);

        Assert.Contains("reorder", warning);
        settings.Validate();
    }

    [Fact]
    public void Warnings_should_be_empty_when_idempotence_is_off_but_one_request_is_in_flight()
    {
        var settings = FromReference()
            .WithProperty("enable.idempotence", "false")
            .WithProperty("max.in.flight.requests.per.connection", "1");

        Assert.Empty(settings.Warnings);
    }

    [Fact]
    public void Warnings_should_warn_about_loss_when_acks_is_weaker_than_all()
    {
        var settings = FromReference()
            .WithProperty("enable.idempotence", "false")
            .WithProperty("max.in.flight.requests.per.connection", "1")
            .WithProperty("acks", "1");

        Assert.Contains("lost", Assert.Single(settings.Warnings));
    }

    [Fact]
    public void ToString_should_mask_secrets_and_show_the_stage_settings()
    {
        var settings = FromReference()
            .WithProperty("sasl.password", "hunter2")
            .WithProperty("ssl.key.password", "s3cret");

        var text = settings.ToString();

        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("s3cret", text);
        Assert.Contains("parallelism=10000", text);
        Assert.Contains("acks=all", text);
    }

    [Fact]
    public void With_methods_should_return_modified_copies_and_leave_the_original_unchanged()
    {
        var original = FromReference();

        var changed = original.WithParallelism(8).WithClientId("other").WithBootstrapServers("a:1");

        Assert.Equal(8, changed.Parallelism);
        Assert.Equal("other", changed.ClientId);
        Assert.Equal("a:1", changed.Properties["bootstrap.servers"]);
        Assert.Equal(10_000, original.Parallelism);
        Assert.Equal("pipeline-producer", original.ClientId);
    }

    [Fact]
    public void WithParallelism_should_refuse_a_value_outside_the_range()
    {
        var settings = FromReference();

        Assert.Throws<ArgumentOutOfRangeException>(() => settings.WithParallelism(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => settings.WithQueueFullRetryInterval(TimeSpan.Zero));
    }

    private static Config LoadReference() => ConfigurationFactory.ParseString(File.ReadAllText(ReferencePath()));

    private static string ReferencePath() => RepositoryFile.At("hocon", "reference.conf");
}
