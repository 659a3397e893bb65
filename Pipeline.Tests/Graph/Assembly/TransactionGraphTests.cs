using Akka.Event;
using Akka.Streams;
using Confluent.Kafka;
using Microsoft.Data.Sqlite;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Sinks;
using Pipeline.Host.Hosting;
using Pipeline.Models.Domain;
using Pipeline.Models.Synthetic;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Assembly;

[Trait("Category", "Integration")]
public sealed class TransactionGraphTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("graph-");
    private SqliteAlertStore? _alerts;

    void IDisposable.Dispose()
    {
        _alerts?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dir.Delete(recursive: true);
        base.Dispose();
    }

    [Fact]
    public async Task Graph_should_store_valid_quarantine_poison_and_commit_every_offset_when_drained()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("graph", 4);
        var valid = Transactions(300);
        var poison = new (string Key, string Value)[]
        {
            ("acct-poison", "this is not json"),
            ("acct-poison", "{\"transaction_id\":\"7d1f0a52-1111-4c5e-9a51-5b2a0f0e1a01\",\"amount\":-5}"),
            ("acct-poison", "[1,2,3]"),
        };
        kafka.Produce(topic, valid.Take(150).Concat(poison).Concat(valid.Skip(150)));
        var group = MockKafka.NewGroupId("graph");
        var (settings, metrics, store) = await Build(topic, group, kafka.BootstrapServers);

        var control = TransactionGraph.Create(settings, await Services(settings, store, metrics)).Run(Sys.Materializer());
        await WaitUntil(() => metrics.Committed >= valid.Count + poison.Length, TimeSpan.FromSeconds(60));
        await control.DrainAndShutdown();

        var db = Path.Combine(_dir.FullName, "graph.db");
        Assert.Equal(valid.Count, Count(db, "SELECT COUNT(*) FROM scored_transactions"));
        Assert.Equal(poison.Length, Count(db, "SELECT COUNT(*) FROM quarantine"));
        Assert.Equal(1, Count(db, "SELECT COUNT(*) FROM quarantine WHERE stage = 'decode' AND reason = 'not_json'"));
        Assert.Equal(1, Count(db, "SELECT COUNT(*) FROM quarantine WHERE stage = 'schema' AND reason = 'not_object'"));
        var committed = kafka.CommittedOffsets(group, MockKafka.Partitions(topic, 4));
        var ends = EndOffsets(kafka, topic, 4);
        foreach (var (tp, end) in ends) Assert.Equal(end, committed[tp]);
        Assert.True(control.StreamCompletion.IsCompletedSuccessfully);
        await store.DisposeAsync();
    }

    [Fact]
    public async Task Graph_should_write_no_duplicate_rows_when_records_are_consumed_again_after_a_restart()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("graph-replay", 2);
        var valid = Transactions(200);
        kafka.Produce(topic, valid);
        var (settings, metrics, store) = await Build(topic, MockKafka.NewGroupId("first"), kafka.BootstrapServers);
        var first = TransactionGraph.Create(settings, await Services(settings, store, metrics)).Run(Sys.Materializer());
        await WaitUntil(() => metrics.Committed >= valid.Count, TimeSpan.FromSeconds(60));
        await first.DrainAndShutdown();

        // A new group re-reads everything from the start: the store must turn the replay into no-ops.
        var metrics2 = new PipelineMetrics(Metrics.NewCustomRegistry());
        var replay = settings with { Consumer = settings.Consumer.WithGroupId(MockKafka.NewGroupId("replay")) };
        var second = TransactionGraph.Create(replay, await Services(replay, store, metrics2)).Run(Sys.Materializer());
        await WaitUntil(() => metrics2.Committed >= valid.Count, TimeSpan.FromSeconds(60));
        await second.DrainAndShutdown();

        Assert.Equal(valid.Count, Count(Path.Combine(_dir.FullName, "graph.db"), "SELECT COUNT(*) FROM scored_transactions"));
        await store.DisposeAsync();
    }

    private Task<TransactionGraphServices> Services(TransactionGraphSettings settings, ITransactionStore store, PipelineMetrics metrics) =>
        TransactionGraphServicesFactory.CreateAsync(settings, store, _alerts, metrics, TimeProvider.System, Sys.Log, Metrics.NewCustomRegistry());

    internal static List<(string Key, string Value)> Transactions(int count) =>
        TransactionGenerator.Generate(new GeneratorOptions
        {
            Seed = 11,
            Accounts = 20,
            NormalCount = count,
            DriftCount = 0,
            AttackCount = 0,
            Start = DateTimeOffset.UtcNow.AddHours(-2),
            MeanInterArrival = TimeSpan.FromMilliseconds(100),
        }).Select(g => (g.Transaction.AccountId, System.Text.Encoding.UTF8.GetString(TransactionJson.Serialize(g.Transaction)))).ToList();

    private async Task<(TransactionGraphSettings, PipelineMetrics, ITransactionStore)> Build(string topic, string group, string bootstrap)
    {
        var options = RunOptions.Create(PipelineConfigLoader.Load(new Dictionary<string, string>(), null, null));
        var all = options.Graph.WithBootstrapServers(bootstrap);
        var settings = all with
        {
            TransactionsTopic = topic,
            Consumer = all.Consumer.WithGroupId(group)
                .WithProperty("session.timeout.ms", "6000").WithProperty("heartbeat.interval.ms", "500").WithProperty("auto.commit.interval.ms", "100"),
        };
        var store = new SqliteTransactionStore(Path.Combine(_dir.FullName, "graph.db"));
        await store.InitializeAsync(CancellationToken.None);
        _alerts ??= new SqliteAlertStore(Path.Combine(_dir.FullName, "graph.db"));
        await _alerts.InitializeAsync(CancellationToken.None);
        return (settings, new PipelineMetrics(Metrics.NewCustomRegistry()), store);
    }

    private static Dictionary<TopicPartition, long?> EndOffsets(MockKafka kafka, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = "watermarks" }).Build();
        return MockKafka.Partitions(topic, partitions).ToDictionary(tp => tp, tp => (long?)consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value);
    }

    internal static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached in time");
            await Task.Delay(50);
        }
    }

    internal static long Count(string db, string sql)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
