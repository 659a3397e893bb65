using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Xunit;

namespace Pipeline.Tests.Graph.Kafka;

public sealed class ProducerRecordTests
{
    [Fact]
    public void Constructor_should_refuse_an_empty_topic()
    {
        Assert.Throws<ArgumentException>(() => new ProducerRecord<string, string>("", "k", "v"));
    }

    [Fact]
    public void Partition_should_refuse_a_negative_value()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProducerRecord<string, string>("t", "k", "v") { Partition = -1 });
    }

    [Fact]
    public void ToMessage_should_carry_key_value_headers_and_timestamp_when_set()
    {
        var at = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var headers = new Headers { { "reason", [1] } };
        var record = new ProducerRecord<string, string>("t", "k", "v") { Partition = 2, Headers = headers, Timestamp = at };

        var message = record.ToMessage();

        Assert.Equal("k", message.Key);
        Assert.Equal("v", message.Value);
        Assert.Same(headers, message.Headers);
        Assert.Equal(at.ToUnixTimeMilliseconds(), message.Timestamp.UnixTimestampMs);
        Assert.Equal(new TopicPartition("t", 2), record.TopicPartition);
    }

    [Fact]
    public void TopicPartition_should_let_the_partitioner_choose_when_no_partition_is_set()
    {
        var record = new ProducerRecord<string, string>("t", "k", "v");

        Assert.Equal(Partition.Any, record.TopicPartition.Partition);
        Assert.Equal(Timestamp.Default, record.ToMessage().Timestamp);
    }
}
