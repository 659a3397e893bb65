using System.Collections.Concurrent;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Kafka;

[Trait("Category", "Integration")]
public sealed class KafkaConsumerTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly MockKafka _kafka = MockKafka.Start();

    public KafkaConsumerTests(ITestOutputHelper output)
        : base("akka.loglevel = INFO", output: output)
    {
    }

    [Fact]
    public async Task CommittableSource_should_resume_after_the_last_committed_offset_when_restarted()
    {
        var topic = _kafka.CreateTopic("restart", 4);
        var produced = _kafka.ProduceKeyed(topic, 200);
        var group = MockKafka.NewGroupId("restart");
        var settings = KafkaTestConfig.Consumer(_kafka.BootstrapServers, group).WithBufferSize(20);

        var first = RunCommitting(settings, Subscriptions.Topics(topic));
        await Eventually(() => first.Processed.Count >= 80, "the first run to process 80 records");
        await first.Control.DrainAndShutdown();
        var committedAfterFirst = _kafka.CommittedOffsets(group, MockKafka.Partitions(topic, 4));

        var second = RunCommitting(settings, Subscriptions.Topics(topic));
        await Eventually(() => first.Processed.Count + second.Processed.Count >= 200, "both runs together to process every record");
        await second.Control.DrainAndShutdown();

        var all = first.Processed.Concat(second.Processed).ToList();
        Assert.Equal(produced.Count, all.Count);
        Assert.Equal(produced.Select(d => d.Message.Key).Order(), all.Select(r => r.Message.Key).Order());
        foreach (var (tp, records) in second.Processed.GroupBy(r => r.TopicPartition).Select(g => (g.Key, g.ToList())))
        {
            Assert.Equal(committedAfterFirst[tp] ?? 0, records.Min(r => r.Offset.Value));
        }

        var end = produced.GroupBy(d => d.TopicPartition).ToDictionary(g => g.Key, g => (long?)(g.Max(d => d.Offset.Value) + 1));
        Assert.Equal(end, _kafka.CommittedOffsets(group, end.Keys));
        await second.Control.IsShutdown;
    }

    private (DrainingControl<Done> Control, ConcurrentQueue<ConsumeResult<string, string>> Processed) RunCommitting(
        ConsumerSettings<string, string> settings,
        ISubscription subscription,
        CommitterSettings? committer = null)
    {
        var processed = new ConcurrentQueue<ConsumeResult<string, string>>();
        var control = KafkaConsumer.CommittableSource(settings, subscription)
            .Select(message =>
            {
                processed.Enqueue(message.Record);
                return (ICommittable)message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(committer ?? KafkaTestConfig.Committer()), DrainingControl<Done>.Create)
            .Run(Sys.Materializer());
        return (control, processed);
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {Deadline.TotalSeconds}s waiting for {what}");
            await Task.Delay(20);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _kafka.Dispose();
    }
}
