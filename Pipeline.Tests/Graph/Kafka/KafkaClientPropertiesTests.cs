using Akka.Configuration;
using Pipeline.Graph.Kafka;
using Xunit;

namespace Pipeline.Tests.Graph.Kafka;

public sealed class KafkaClientPropertiesTests
{
    private static KafkaClientProperties Parse(string hocon) =>
        KafkaClientProperties.FromConfig(ConfigurationFactory.ParseString(hocon), "test.kafka-clients");

    [Fact]
    public void FromConfig_should_flatten_dotted_and_quoted_keys_when_both_spellings_are_used()
    {
        var props = Parse("bootstrap.servers = \"a:9092\"\n\"session.timeout.ms\" = 6000");

        Assert.Equal("a:9092", props["bootstrap.servers"]);
        Assert.Equal("6000", props["session.timeout.ms"]);
    }

    [Theory]
    [InlineData("on", "true")]
    [InlineData("yes", "true")]
    [InlineData("off", "false")]
    [InlineData("no", "false")]
    public void FromConfig_should_normalise_hocon_booleans_when_written_as_words(string written, string expected)
    {
        var props = Parse($"enable.idempotence = {written}");

        Assert.Equal(expected, props["enable.idempotence"]);
    }

    [Fact]
    public void FromConfig_should_reject_durations_with_units_naming_the_key()
    {
        var ex = Assert.Throws<KafkaConfigurationException>(() => Parse("session.timeout.ms = 10s"));

        Assert.Contains("session.timeout.ms", ex.Message);
        Assert.Contains("10s", ex.Message);
    }

    [Fact]
    public void Validate_should_fail_naming_the_key_when_librdkafka_does_not_know_it()
    {
        var props = Parse("bootstrap.servers = \"a:9092\"\nno.such.property = 1");

        var ex = Assert.Throws<KafkaConfigurationException>(props.Validate);

        Assert.Contains("no.such.property", ex.Message);
        Assert.Contains("test.kafka-clients", ex.Message);
    }

    [Fact]
    public void Validate_should_fail_when_a_value_is_out_of_range()
    {
        var props = Parse("acks = banana");

        var ex = Assert.Throws<KafkaConfigurationException>(props.Validate);

        Assert.Contains("acks", ex.Message);
    }

    [Fact]
    public void Validate_should_accept_known_properties_and_confluent_dotnet_keys()
    {
        var props = Parse("bootstrap.servers = \"a:9092\"\nacks = all\nenable.idempotence = on\ndotnet.cancellation.delay.max.ms = 100");

        props.Validate();
    }

    [Fact]
    public void ToString_should_mask_secrets_when_logged()
    {
        var props = Parse("sasl.password = hunter2\nssl.key.password = s3cret\nsasl.username = bob\nbootstrap.servers = \"a:9092\"");

        var text = props.ToString();

        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("s3cret", text);
        Assert.DoesNotContain("bob", text);
        Assert.Contains("a:9092", text);
    }

    [Fact]
    public void Validate_should_not_echo_a_secret_value_when_it_is_invalid()
    {
        var props = Parse("sasl.mechanism = PLAIN\nsasl.password = \"\"").With("ssl.key.password", "topsecret");

        var text = props.ToString();

        Assert.DoesNotContain("topsecret", text);
    }

    [Fact]
    public void FromConfig_should_refuse_a_key_spelled_both_quoted_and_dotted_when_overlays_mix_spellings()
    {
        var ex = Assert.Throws<KafkaConfigurationException>(() => Parse("bootstrap.servers = \"a:9092\"\n\"bootstrap.servers\" = \"b:9092\""));

        Assert.Contains("bootstrap.servers", ex.Message);
        Assert.Contains("twice", ex.Message);
    }
}
