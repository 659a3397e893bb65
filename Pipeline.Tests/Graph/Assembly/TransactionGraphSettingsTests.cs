using Pipeline.Graph.Assembly;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Graph.Assembly;

public sealed class TransactionGraphSettingsTests
{
    private const string Fields = "dotnet.consumer.consume.result.fields";

    [Fact]
    public void Consumer_should_copy_only_the_topic_of_each_record_besides_key_and_value_unless_the_user_chose_the_fields()
    {
        var defaults = TransactionGraphSettings.Create(ReferenceConfigFile.With("pipeline.pii.key = \"0123456789abcdef0123456789abcdef\""));
        var chosen = TransactionGraphSettings.Create(ReferenceConfigFile.With(
            $"pipeline.pii.key = \"0123456789abcdef0123456789abcdef\", pipeline.kafka.consumer.kafka-clients {{ \"{Fields}\" = \"all\" }}"));

        // The graph reads neither headers nor broker timestamps; copying them cost two objects per record.
        Assert.Equal("topic", defaults.Consumer.Properties[Fields]);
        Assert.Equal("all", chosen.Consumer.Properties[Fields]);
    }
}
