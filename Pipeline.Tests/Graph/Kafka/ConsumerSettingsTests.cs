using Akka.Configuration;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Xunit;
using Config = Akka.Configuration.Config;

namespace Pipeline.Tests.Graph.Kafka;

public sealed class ConsumerSettingsTests
{
    private static ConsumerSettings<string, string> FromReference() =>
        ConsumerSettings<string, string>.Create(KafkaTestConfig.ConsumerBlock, Deserializers.Utf8, Deserializers.Utf8);

    private static Config Override(string hocon) =>
        ConfigurationFactory.ParseString(hocon).WithFallback(KafkaTestConfig.ConsumerBlock);

    [Fact]
    public void Create_should_read_every_setting_when_built_from_the_reference_file_alone()
    {
        var settings = FromReference();

        settings.Validate();
        Assert.Equal(TimeSpan.FromMilliseconds(50), settings.PollTimeout);
        Assert.Equal(1000, settings.BufferSize);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.BackpressurePauseDelay);
        Assert.Equal(CommitMode.StoreAndAutoCommit, settings.CommitMode);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.CommitTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.CommitTimeWarning);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.StopTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.CloseTimeout);
        Assert.Equal("localhost:9092", settings.BootstrapServers);
        Assert.Equal("pipeline", settings.GroupId);
        Assert.Equal("earliest", settings.Properties["auto.offset.reset"]);
        Assert.Equal("cooperative-sticky", settings.Properties["partition.assignment.strategy"]);
        Assert.Equal("false", settings.Properties["enable.partition.eof"]);
    }

    [Fact]
    public void Validate_should_fail_naming_the_key_when_librdkafka_does_not_know_a_property()
    {
        var settings = FromReference().WithProperty("fetch.max.wait.ms", "100");

        var ex = Assert.Throws<KafkaConfigurationException>(settings.Validate);

        Assert.Contains("fetch.max.wait.ms", ex.Message);
        Assert.Contains("pipeline.kafka.consumer.kafka-clients", ex.Message);
    }

    [Fact]
    public void Create_should_refuse_a_duration_with_units_in_kafka_clients_naming_the_key()
    {
        var ex = Assert.Throws<KafkaConfigurationException>(() =>
            ConsumerSettings<string, string>.Create(Override("kafka-clients.session.timeout.ms = 45s"), null, null));

        Assert.Contains("session.timeout.ms", ex.Message);
        Assert.Contains("45s", ex.Message);
    }

    [Theory]
    [InlineData("buffer-size = 0", "buffer-size = 0", "1–1000000")]
    [InlineData("poll-timeout = 30s", "poll-timeout = 30s", "1ms–5s")]
    [InlineData("backpressure-pause-delay = 1m", "backpressure-pause-delay = 60s", "0ms–10s")]
    [InlineData("commit-timeout = 100ms", "commit-timeout = 100ms", "1s–600s")]
    public void Validate_should_name_the_key_the_value_and_the_range_when_a_setting_is_out_of_range(string hocon, string shown, string range)
    {
        var settings = ConsumerSettings<string, string>.Create(Override(hocon), null, null);

        var ex = Assert.Throws<KafkaConfigurationException>(settings.Validate);

        Assert.Contains($"pipeline.kafka.consumer.{shown}", ex.Message);
        Assert.Contains(range, ex.Message);
    }

    [Fact]
    public void Create_should_fail_naming_the_key_when_a_setting_is_missing()
    {
        var block = ConfigurationFactory.ParseString("poll-timeout = 50ms\nkafka-clients { }");

        var ex = Assert.Throws<KafkaConfigurationException>(() => ConsumerSettings<string, string>.Create(block, null, null));

        Assert.Contains("pipeline.kafka.consumer.", ex.Message);
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public void Create_should_refuse_an_unknown_commit_mode_listing_the_allowed_ones()
    {
        var ex = Assert.Throws<KafkaConfigurationException>(() =>
            ConsumerSettings<string, string>.Create(Override("commit-mode = async"), null, null));

        Assert.Contains("commit-mode = 'async'", ex.Message);
        Assert.Contains("store-and-auto-commit, synchronous", ex.Message);
    }

    [Fact]
    public void ToString_should_mask_the_sasl_password_when_logged()
    {
        var settings = FromReference()
            .WithProperty("sasl.mechanism", "PLAIN")
            .WithProperty("sasl.username", "pipeline")
            .WithProperty("sasl.password", "hunter2");

        var text = settings.ToString();

        Assert.DoesNotContain("hunter2", text);
        Assert.Contains("sasl.password=***", text);
        Assert.Contains("bootstrap.servers=localhost:9092", text);
    }

    [Fact]
    public void With_methods_should_return_a_changed_copy_and_leave_the_original_untouched()
    {
        var original = FromReference();

        var changed = original.WithGroupId("other").WithBufferSize(10).WithCommitMode(CommitMode.Synchronous).WithBootstrapServers("b:9092");

        Assert.Equal(("other", 10, CommitMode.Synchronous, "b:9092"), (changed.GroupId, changed.BufferSize, changed.CommitMode, changed.BootstrapServers));
        Assert.Equal(("pipeline", 1000, CommitMode.StoreAndAutoCommit, "localhost:9092"), (original.GroupId, original.BufferSize, original.CommitMode, original.BootstrapServers));
    }

    [Fact]
    public void CommittableSource_should_refuse_offset_commit_keys_that_commit_mode_decides()
    {
        var settings = FromReference().WithProperty("enable.auto.commit", "false");

        var ex = Assert.Throws<KafkaConfigurationException>(() => KafkaConsumer.CommittableSource(settings, Subscriptions.Topics("t")));

        Assert.Contains("enable.auto.commit", ex.Message);
        Assert.Contains("commit-mode", ex.Message);
    }
}
