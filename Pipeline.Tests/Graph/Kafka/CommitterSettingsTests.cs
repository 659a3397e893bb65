using Akka.Configuration;
using Pipeline.Graph.Kafka;
using Xunit;

namespace Pipeline.Tests.Graph.Kafka;

public sealed class CommitterSettingsTests
{
    [Fact]
    public void Create_should_read_every_setting_when_built_from_the_reference_file_alone()
    {
        var settings = CommitterSettings.Create(KafkaTestConfig.CommitterBlock);

        settings.Validate();
        Assert.Equal(1000, settings.MaxBatch);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.MaxInterval);
        Assert.Equal(1, settings.Parallelism);
        Assert.Equal(CommitDelivery.WaitForAck, settings.Delivery);
    }

    [Theory]
    [InlineData("max-batch = 0", "pipeline.kafka.committer.max-batch = 0", "1–1000000")]
    [InlineData("parallelism = 5000", "pipeline.kafka.committer.parallelism = 5000", "1–1000")]
    [InlineData("max-interval = 2h", "pipeline.kafka.committer.max-interval = 7200s", "1ms–3600s")]
    public void Validate_should_name_the_key_the_value_and_the_range_when_a_setting_is_out_of_range(string hocon, string shown, string range)
    {
        var settings = CommitterSettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(KafkaTestConfig.CommitterBlock));

        var ex = Assert.Throws<KafkaConfigurationException>(settings.Validate);

        Assert.Contains(shown, ex.Message);
        Assert.Contains(range, ex.Message);
    }

    [Fact]
    public void Create_should_refuse_an_unknown_delivery_listing_the_allowed_ones()
    {
        var ex = Assert.Throws<KafkaConfigurationException>(() =>
            CommitterSettings.Create(ConfigurationFactory.ParseString("delivery = maybe").WithFallback(KafkaTestConfig.CommitterBlock)));

        Assert.Contains("delivery = 'maybe'", ex.Message);
        Assert.Contains("wait-for-ack, send-and-forget", ex.Message);
    }
}
