using Confluent.Kafka;
using Pipeline.Graph.Outputs;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Outputs;

/// <summary>Reads back what the outputs produced to the mock cluster.</summary>
internal static class KafkaOutputTestKit
{
    public static OutputSettings Settings(string bootstrap, string scoredTopic, string driftTopic, string overrides = "") =>
        OutputSettings.Create(ReferenceConfigFile.With(
            $"pipeline.topics.scored = \"{scoredTopic}\"\npipeline.topics.drift = \"{driftTopic}\"\n{overrides}")).WithBootstrapServers(bootstrap);

    public static List<ConsumeResult<string, string>> Consume(string bootstrap, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = MockKafka.NewGroupId("outputs-reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record) records.Add(record);
        }

        consumer.Close();
        return records;
    }
}
