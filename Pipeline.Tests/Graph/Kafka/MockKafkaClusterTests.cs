using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Xunit;

namespace Pipeline.Tests.Graph.Kafka;

[Trait("Category", "Integration")]
public sealed class MockKafkaClusterTests
{
    [Fact]
    public void Start_should_serve_the_kafka_protocol_when_a_client_produces_and_consumes()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("mock-roundtrip", 3);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        for (var i = 0; i < 10; i++) producer.Produce("mock-roundtrip", new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        producer.Flush(TimeSpan.FromSeconds(10));
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "mock-roundtrip-group",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("mock-roundtrip");

        var seen = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (seen.Count < 10 && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is not null) seen.Add(r.Message.Value);
        }

        consumer.Close();
        Assert.Equal(10, seen.Count);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        Assert.Equal(3, admin.GetMetadata("mock-roundtrip", TimeSpan.FromSeconds(5)).Topics[0].Partitions.Count);
    }
}
