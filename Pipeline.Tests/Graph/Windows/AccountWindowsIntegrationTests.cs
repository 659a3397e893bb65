using System.Collections.Concurrent;
using System.Text;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Windows;
using Pipeline.Models.Domain;
using Pipeline.Models.Features;
using Pipeline.Tests.Graph.Kafka;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Models.Features;
using Pipeline.Tests.TestKit;
using Prometheus;
using Xunit;
using static Pipeline.Tests.Graph.Windows.WindowsTestKit;

namespace Pipeline.Tests.Graph.Windows;

/// <summary>Restart, rebalance and outage behaviour against real Redis servers and the mock Kafka cluster.</summary>
[Trait("Category", "Integration")]
public sealed class AccountWindowsIntegrationTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Known = "known-account";
    private static readonly DateTimeOffset T0 = FeatureTestData.Start;
    private readonly FakeConsumer _consumer = new();

    [Fact]
    public async Task Flow_should_give_the_features_of_an_uninterrupted_run_when_restarted_against_the_same_redis()
    {
        var records = Records(120).Select((tx, i) => new AcceptedTransaction(_consumer.Offset(new TopicPartition("transactions", 0), i), T0, tx)).ToList();
        var expected = await Run(new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System), records, new WindowsMetrics(new CollectorRegistry()));
        var redis = Settings().Redis with { ConnectionString = RedisServer.Shared.ConnectionString, KeyPrefix = $"test:{Guid.NewGuid():N}:" };

        await using (var first = await RedisFeatureStateStore.ConnectAsync(redis))
        {
            await Run(first, records.Take(70), new WindowsMetrics(new CollectorRegistry()));
        }

        var metrics = new WindowsMetrics(new CollectorRegistry());
        List<FeaturedTransaction> resumed;
        await using (var second = await RedisFeatureStateStore.ConnectAsync(redis))
        {
            resumed = await Run(second, records.Skip(61), metrics); // 61..69 are delivered again
        }

        Assert.Equal(9, metrics.Replayed);
        Assert.All(resumed.Take(9), r => Assert.True(r.Features.Replayed));
        var known = resumed.Skip(9).Where(r => r.Transaction.AccountId == Known).ToList();
        Assert.True(known.Count > 10);
        Assert.Equal(expected.Skip(70).Where(r => r.Transaction.AccountId == Known).Select(r => r.Features), known.Select(r => r.Features));
    }

    [Fact]
    public async Task Flow_should_continue_an_account_on_its_new_owner_when_its_partition_moves_to_another_consumer()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("windows-rebalance", 2);
        var group = MockKafka.NewGroupId("windows-rebalance");
        var redis = Settings().Redis with { ConnectionString = RedisServer.Shared.ConnectionString, KeyPrefix = $"test:{Guid.NewGuid():N}:" };
        await using var storeA = await RedisFeatureStateStore.ConnectAsync(redis);
        await using var storeB = await RedisFeatureStateStore.ConnectAsync(redis);
        var all = Records(120, otherAccounts: 6);
        var firstHalf = kafka.Produce(topic, all.Take(60).Select(Json));
        var knownPartition = firstHalf[all.Take(60).ToList().FindIndex(t => t.AccountId == Known)].TopicPartition;

        var a = Consume(kafka, topic, group, storeA);
        await Eventually(() => a.Featured.Count(f => !f.Features.Replayed) >= 60, "the first consumer to featurize the first 60 records");
        var b = Consume(kafka, topic, group, storeB);
        await Eventually(() => a.Control.Status().Partitions.Count == 1 && b.Control.Status().Partitions.Count == 1, "the group to split the two partitions");
        if (a.Control.Status().Partitions.Single().TopicPartition == knownPartition)
        {
            // The known account stayed: make it move by taking the first consumer out of the group.
            await a.Control.DrainAndShutdown();
            await Eventually(() => b.Control.Status().Partitions.Count == 2, "the second consumer to own both partitions");
        }

        var secondHalf = kafka.Produce(topic, all.Skip(60).Select(Json));
        var knownTotal = all.Count(t => t.AccountId == Known);
        await Eventually(
            () => a.Featured.Concat(b.Featured).Where(f => f.Transaction.AccountId == Known && !f.Features.Replayed).Select(f => f.Offset.Offset).Distinct().Count() == knownTotal
                  && b.Featured.Any(f => f.Transaction.AccountId == Known && !f.Features.Replayed),
            "every record of the known account to be featurized, some by the second consumer");
        await b.Control.DrainAndShutdown();
        if (!a.Control.IsShutdown.IsCompleted) await a.Control.DrainAndShutdown();

        // The uninterrupted run: the known account's records in partition order, at their real offsets.
        var reference = new AccountState(Settings().ToFeatureOptions());
        var expected = firstHalf.Concat(secondHalf)
            .Zip(all) // delivery results come back in production order
            .Where(p => p.Second.AccountId == Known)
            .OrderBy(p => p.First.Offset.Value)
            .ToDictionary(p => p.First.Offset.Value, p => reference.Process(p.Second, new RecordPosition(topic, p.First.Partition.Value, p.First.Offset.Value)));
        var onB = b.Featured.Where(f => f.Transaction.AccountId == Known && !f.Features.Replayed).ToList();
        Assert.NotEmpty(onB);
        Assert.All(onB, f => Assert.Equal(expected[f.Offset.Offset], f.Features));
        Assert.Equal(knownTotal, onB[^1].Features.HistoryCount + 1);
    }

    [Fact]
    public async Task Flow_should_keep_running_degraded_while_redis_is_down_and_resume_checkpoints_when_it_returns()
    {
        using var server = RedisServer.Start();
        var redis = Settings().Redis with { ConnectionString = server.ConnectionString, KeyPrefix = "outage:", OperationTimeout = TimeSpan.FromMilliseconds(500) };
        var settings = Settings() with { StoreTimeout = TimeSpan.FromSeconds(1), RetryInterval = TimeSpan.FromMilliseconds(200) };
        await using var store = await RedisFeatureStateStore.ConnectAsync(redis);
        var metrics = new WindowsMetrics(new CollectorRegistry());
        var records = Records(90).Select((tx, i) => new AcceptedTransaction(_consumer.Offset(new TopicPartition("transactions", 0), i), T0, tx)).ToList();
        var (source, sink) = TestSource.Probe<PipelineElement>(this)
            .Via(AccountWindowsFlow.Create(settings, store, TimeProvider.System, metrics, Sys.Log))
            .ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both)
            .Run(Sys.Materializer());
        await sink.RequestAsync(records.Count);

        await source.SendNextAsync(records.Take(30));
        await sink.ExpectNextNAsync(30, Deadline);
        var beforeOutage = metrics.Checkpointed;
        await EventFilter.Warning(contains: "continue on in-memory state only").ExpectOneAsync(Deadline, async () =>
        {
            server.Stop();
            await source.SendNextAsync(records.Skip(30).Take(30));
            await sink.ExpectNextNAsync(30, Deadline);
        });
        var degraded = metrics.Degraded;

        server.Restart();
        await Eventually(() => !metrics.Degraded, "the stage to leave degraded mode");
        await source.SendNextAsync(records.Skip(60));
        await sink.ExpectNextNAsync(30, Deadline);
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync(Deadline);

        Assert.True(beforeOutage > 0);
        Assert.True(degraded);
        Assert.True(metrics.Failures > 0);
        var stored = (await store.LoadAsync([Known], CancellationToken.None))[0];
        Assert.NotNull(stored);
        Assert.Equal(records.Count(r => r.Transaction.AccountId == Known), AccountState.FromBytes(stored, settings.ToFeatureOptions()).HistoryCount);
    }

    /// <summary>Transactions of <see cref="Known"/> interleaved with other accounts, one to ten minutes apart.</summary>
    private static List<Transaction> Records(int count, int otherAccounts = 3)
    {
        var random = new Random(42);
        var at = T0;
        var result = new List<Transaction>(count);
        for (var i = 0; i < count; i++)
        {
            at = at.AddSeconds(random.Next(5, 600));
            var account = random.Next(3) == 0 ? Known : "other-" + random.Next(otherAccounts);
            result.Add(FeatureTestData.Tx(at, Math.Round(5 + (random.NextDouble() * 200), 2), "m" + random.Next(8), random.Next(6) == 0 ? "FR" : "DE", "d" + random.Next(3), account));
        }

        return result;
    }

    private static (string Key, string Value) Json(Transaction tx) => (tx.AccountId, Encoding.UTF8.GetString(TransactionJson.Serialize(tx)));

    private async Task<List<FeaturedTransaction>> Run(IFeatureStateStore store, IEnumerable<PipelineElement> records, WindowsMetrics metrics) =>
        (await Source.From(records.ToList()).Via(AccountWindowsFlow.Create(Settings(), store, TimeProvider.System, metrics, Sys.Log))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer()).WaitAsync(Deadline)).Cast<FeaturedTransaction>().ToList();

    private (DrainingControl<Done> Control, ConcurrentQueue<FeaturedTransaction> Featured) Consume(MockKafka kafka, string topic, string group, IFeatureStateStore store)
    {
        var consumer = ConsumerSettings<string, byte[]>.Create(KafkaTestConfig.ConsumerBlock, Deserializers.Utf8, Deserializers.ByteArray)
            .WithBootstrapServers(kafka.BootstrapServers)
            .WithGroupId(group)
            .WithProperty("session.timeout.ms", "6000")
            .WithProperty("heartbeat.interval.ms", "500")
            .WithProperty("topic.metadata.refresh.interval.ms", "1000")
            .WithStopTimeout(TimeSpan.FromSeconds(10));
        var ingest = IngestSettings.Create(KafkaTestConfig.Reference.GetConfig("pipeline.ingest"));
        var featured = new ConcurrentQueue<FeaturedTransaction>();
        var control = KafkaConsumer.CommittableSource(consumer, Subscriptions.Topics(topic))
            .Via(DecodeFlow.Create(ingest, TimeProvider.System, new PipelineMetrics(new CollectorRegistry())))
            .Via(AccountWindowsFlow.Create(Settings(), store, TimeProvider.System, new WindowsMetrics(new CollectorRegistry()), Sys.Log))
            .Select(ICommittable (element) =>
            {
                if (element is FeaturedTransaction f) featured.Enqueue(f);
                return element.Offset;
            })
            .ToMaterialized(Committer.Sink(KafkaTestConfig.Committer().WithMaxInterval(TimeSpan.FromMilliseconds(50))), DrainingControl<Done>.Create)
            .Run(Sys.Materializer());
        return (control, featured);
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
