using Confluent.Kafka;
using Pipeline.Graph.Kafka.Internal;
using Xunit;

namespace Pipeline.Tests.Graph.Kafka.Internal;

public sealed class TopicPartitionComparerTests
{
    [Fact]
    public void TopicPartitionComparer_should_tell_partitions_apart_by_topic_and_number_when_keys_share_a_hash()
    {
        var offsets = new Dictionary<TopicPartition, long>(TopicPartitionComparer.Instance)
        {
            [new TopicPartition("orders", 1)] = 10,
            [new TopicPartition("events", 1)] = 20,
            [new TopicPartition("orders", 2)] = 30,
        };

        offsets[new TopicPartition("orders", 1)] = 11;

        Assert.Equal(3, offsets.Count);
        Assert.Equal(11, offsets[new TopicPartition("orders", 1)]);
        Assert.Equal(20, offsets[new TopicPartition("events", 1)]);
        Assert.False(offsets.ContainsKey(new TopicPartition("events", 2)));
    }
}
