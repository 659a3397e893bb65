using System.Collections.Concurrent;
using System.Text;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Kafka;
using Pipeline.Models.Domain;
using Pipeline.Tests.Graph.Assembly;
using Pipeline.Tests.Graph.Kafka;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Graph.Drift;

[Trait("Category", "Integration")]
public sealed class LabelsFlowTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task LabelsFlow_should_hand_over_valid_labels_skip_invalid_ones_and_commit_every_offset()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("labels", 2);
        var labels = Enumerable.Range(0, 3)
            .Select(i => new TransactionLabel($"00000000-0000-4000-8000-00000000000{i}", i % 2 == 0, new DateTimeOffset(2026, 1, 1, 0, 0, i, TimeSpan.Zero)))
            .ToList();
        kafka.Produce(topic, labels.Select(l => ("acct", Encoding.UTF8.GetString(TransactionLabelJson.Serialize(l)))).Append(("acct", "not a label")));
        var group = MockKafka.NewGroupId("labels");
        var seen = new ConcurrentQueue<TransactionLabel>();
        var invalid = new ConcurrentQueue<string>();
        var consumer = ConsumerSettings<string, byte[]>.Create(KafkaTestConfig.ConsumerBlock, Deserializers.Utf8, Deserializers.ByteArray)
            .WithBootstrapServers(kafka.BootstrapServers).WithGroupId(group)
            .WithProperty("session.timeout.ms", "6000").WithProperty("heartbeat.interval.ms", "500").WithProperty("auto.commit.interval.ms", "100");

        var control = KafkaConsumer.CommittableSource(consumer, Subscriptions.Topics(topic))
            .Via(LabelsFlow.Create(seen.Enqueue, invalid.Enqueue))
            .ToMaterialized(Committer.Sink(KafkaTestConfig.Committer()), Keep.Both)
            .MapMaterializedValue(pair => DrainingControl<Done>.Create(pair.Item1, pair.Item2))
            .Run(Sys.Materializer());
        await TransactionGraphTests.WaitUntil(() => seen.Count + invalid.Count == 4, TimeSpan.FromSeconds(60));
        await control.DrainAndShutdown();

        Assert.Equal(labels.OrderBy(l => l.TransactionId), seen.OrderBy(l => l.TransactionId));
        Assert.Single(invalid);
        var committed = kafka.CommittedOffsets(group, MockKafka.Partitions(topic, 2));
        Assert.Equal(4, committed.Values.Sum(v => v ?? 0));
    }
}
