using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Data.Sqlite;
using Npgsql;
using Akka.Actor;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Host;
using Pipeline.Host.Hosting;
using Pipeline.Models.Features;
using Pipeline.Tests.Graph.Assembly;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

[Trait("Category", "Integration")]
public sealed class ReplayCommandTests : IDisposable
{
    private const string LiveGroup = "live-pipeline";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("replay-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Replay_should_score_every_valid_line_and_quarantine_bad_lines_by_line_number_when_replaying_a_jsonl_file_into_sqlite()
    {
        var valid = TransactionGraphTests.Transactions(60);
        var lines = valid.Select(v => v.Value).ToList();
        lines.Insert(10, "this is not json");
        lines.Insert(20, "{\"transaction_id\":\"7d1f0a52-1111-4c5e-9a51-5b2a0f0e1a01\",\"amount\":-5}");
        lines.Insert(30, "   ");
        var file = await WriteLines(lines);

        var (code, stdout, stderr) = await Replay(Overlay(), "--file", file, "--into", "night_run", "--model", "fresh", "--progress", "200ms");

        Assert.True(code == 0, stderr);
        var db = Path.Combine(_dir.FullName, "replay_night_run.db");
        Assert.Equal(Ids(valid), Strings(db, "SELECT transaction_id FROM scored_transactions"));
        Assert.Equal(["11 decode/not_json", "21 schema/missing_field"], Strings(db, "SELECT \"offset\" || ' ' || stage || '/' || reason FROM quarantine"));
        Assert.Equal(["file:" + file], Strings(db, "SELECT DISTINCT topic FROM quarantine"));
        Assert.Equal(["fresh"], Strings(db, "SELECT DISTINCT model_version FROM scored_transactions"));
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "live.db")), "the live database was touched");
        Assert.Contains("60 scored, 2 quarantined", stdout);
        Assert.Contains(db, stdout);
    }

    [Fact]
    public async Task Replay_should_score_with_a_copy_of_the_registry_active_version_and_leave_the_registry_unchanged()
    {
        var overlay = Overlay();
        var environment = new Dictionary<string, string>();
        var config = PipelineConfigLoader.Load(environment, overlay, null);
        var options = RunOptions.Create(config);
        var persistence = Preflight.Persistence(config, options.Graph.Store, environment);
        var model = ModelTransactionScorer.Create(options.Graph.Scoring, AccountFeatures.Names(options.Graph.Windows.Sizes)).Model;
        using var bytes = new MemoryStream();
        model.WriteTo(bytes);
        await WithRegistry(config, persistence, registry => registry.Ask<ModelRegistryProtocol.ActiveModel>(new ModelRegistryProtocol.Bootstrap(bytes.ToArray(), 0), TimeSpan.FromSeconds(30)));
        var file = await WriteLines(TransactionGraphTests.Transactions(30).Select(v => v.Value));

        var (code, stdout, stderr) = await Replay(overlay, "--file", file, "--into", "with_registry");

        Assert.True(code == 0, stderr);
        Assert.Contains("a copy of registry version 1", stdout);
        Assert.Equal(["1"], Strings(Path.Combine(_dir.FullName, "replay_with_registry.db"), "SELECT DISTINCT model_version FROM scored_transactions"));
        var history = await WithRegistry(config, persistence, registry => registry.Ask<ModelRegistryProtocol.History>(ModelRegistryProtocol.GetHistory.Instance, TimeSpan.FromSeconds(30)));
        var version = Assert.Single(history.Versions);
        Assert.Equal(0, version.LearnCount);
    }

    [Fact]
    public async Task Replay_should_refuse_a_result_set_that_holds_rows_unless_asked_to_replace_it()
    {
        var file = await WriteLines(TransactionGraphTests.Transactions(20).Select(v => v.Value));
        var overlay = Overlay();
        Assert.Equal(0, (await Replay(overlay, "--file", file, "--into", "again", "--model", "fresh")).Code);

        var (refusedCode, _, refused) = await Replay(overlay, "--file", file, "--into", "again", "--model", "fresh");
        var (replacedCode, _, _) = await Replay(overlay, "--file", file, "--into", "again", "--model", "fresh", "--replace");

        Assert.Equal(1, refusedCode);
        Assert.Single(refused.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("already holds 20 rows", refused);
        Assert.Equal(0, replacedCode);
        Assert.Equal(20, TransactionGraphTests.Count(Path.Combine(_dir.FullName, "replay_again.db"), "SELECT COUNT(*) FROM scored_transactions"));
    }

    [Theory]
    [InlineData("--into", "x")]
    [InlineData("--file", "a.jsonl", "--from-offset", "0:1", "--into", "x")]
    [InlineData("--file", "a.jsonl", "--into", "Bad-Name")]
    [InlineData("--from-offset", "0:x", "--into", "x")]
    [InlineData("--from-time", "yesterday", "--into", "x")]
    [InlineData("--file", "a.jsonl", "--into", "x", "--model", "newest")]
    public async Task Replay_should_exit_2_with_one_line_when_the_options_are_wrong(params string[] args)
    {
        var (code, _, stderr) = await Replay(null, args);

        Assert.Equal(2, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Replay_should_exit_1_naming_the_file_when_it_does_not_exist()
    {
        var missing = Path.Combine(_dir.FullName, "missing.jsonl");

        var (code, _, stderr) = await Replay(Overlay(), "--file", missing, "--into", "x");

        Assert.Equal(1, code);
        Assert.Contains(missing, stderr);
    }

    [Fact]
    public async Task Replay_should_write_the_result_set_to_its_own_postgres_schema_when_the_store_is_postgres()
    {
        var connection = await PostgresServer.Shared.CreateDatabaseAsync("replay");
        var builder = new NpgsqlConnectionStringBuilder(connection);
        var url = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        var valid = TransactionGraphTests.Transactions(40);
        var file = await WriteLines(valid.Select(v => v.Value).Append("[1,2,3]"));

        var (code, stdout, stderr) = await Replay(
            Overlay($"pipeline.store.kind = postgres\npipeline.store.postgres.connection-string = \"{url}\"\npipeline.store.postgres.schema = live"),
            "--file", file, "--into", "pg_run", "--model", "fresh");

        Assert.True(code == 0, stderr);
        await using var db = NpgsqlDataSource.Create(connection);
        Assert.Equal(40L, await Scalar(db, "SELECT COUNT(DISTINCT transaction_id) FROM replay_pg_run.scored_transactions"));
        Assert.Equal(1L, await Scalar(db, "SELECT COUNT(*) FROM replay_pg_run.quarantine WHERE reason = 'not_object'"));
        Assert.Equal(0L, await Scalar(db, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'live'"));
        Assert.Contains("schema replay_pg_run", stdout);
    }

    [Fact]
    public async Task Replay_should_rescore_exactly_the_records_after_the_given_offsets_and_leave_the_live_group_offsets_alone()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("replay-offsets", 2);
        var delivered = kafka.Produce(topic, TransactionGraphTests.Transactions(200));
        var live = CommitLive(kafka, topic, (0, 37), (1, 41));
        var expected = delivered
            .Where(d => (d.Partition.Value == 0 && d.Offset.Value >= 20) || (d.Partition.Value == 1 && d.Offset.Value >= 30))
            .Select(d => TransactionId(d.Message.Value)).Order(StringComparer.Ordinal).ToList();

        var (code, stdout, stderr) = await Replay(KafkaOverlay(kafka, topic), "--from-offset", "0:20,1:30", "--into", "by_offset", "--model", "fresh");

        Assert.True(code == 0, stderr);
        Assert.Equal(expected, Strings(Path.Combine(_dir.FullName, "replay_by_offset.db"), "SELECT transaction_id FROM scored_transactions"));
        Assert.Equal(live, kafka.CommittedOffsets(LiveGroup, MockKafka.Partitions(topic, 2)));
        Assert.Contains($"{expected.Count} scored", stdout);
    }

    [Fact]
    public async Task Replay_should_rescore_exactly_the_records_at_or_after_the_given_time_and_leave_the_live_group_offsets_alone()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("replay-time", 2);
        var transactions = TransactionGraphTests.Transactions(120);
        var cut = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        // The first 70 records were appended before the cut, the rest after it.
        var delivered = ProduceAt(kafka, topic, transactions.Select((t, i) => (t.Key, t.Value, cut.AddSeconds(i < 70 ? i - 70 : i - 70 + 1))));
        var live = CommitLive(kafka, topic, (0, 5), (1, 9));
        var expected = transactions.Skip(70).Select(t => TransactionId(t.Value)).Order(StringComparer.Ordinal).ToList();

        var (code, stdout, stderr) = await Replay(KafkaOverlay(kafka, topic), "--from-time", "2024-05-01T14:00:00+02:00", "--into", "by_time", "--model", "fresh");

        Assert.True(code == 0, stderr);
        Assert.Contains($"({expected.Count} records in 2 partitions", stdout);
        Assert.Equal(120, delivered.Count);
        Assert.Equal(expected, Strings(Path.Combine(_dir.FullName, "replay_by_time.db"), "SELECT transaction_id FROM scored_transactions"));
        Assert.Equal(live, kafka.CommittedOffsets(LiveGroup, MockKafka.Partitions(topic, 2)));
    }

    private static async Task<T> WithRegistry<T>(Akka.Configuration.Config config, PersistenceSettings persistence, Func<IActorRef, Task<T>> ask)
    {
        var system = ActorSystem.Create("registry", persistence.ToAkkaConfig().WithFallback(Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING")).WithFallback(config));
        try
        {
            return await ask(system.ActorOf(ModelRegistryActor.Props(LifecycleSettings.Create(config), system.DeadLetters), "model-registry"));
        }
        finally
        {
            await system.Terminate();
        }
    }

    internal static string TransactionId(string json) => JsonDocument.Parse(json).RootElement.GetProperty("transaction_id").GetString()!;

    private static IReadOnlyDictionary<TopicPartition, long?> CommitLive(MockKafka kafka, string topic, params (int Partition, long Offset)[] offsets)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = LiveGroup, EnableAutoCommit = false }).Build();
        consumer.Commit(offsets.Select(o => new TopicPartitionOffset(topic, o.Partition, o.Offset)));
        return kafka.CommittedOffsets(LiveGroup, MockKafka.Partitions(topic, 2));
    }

    private static List<DeliveryResult<string, string>> ProduceAt(MockKafka kafka, string topic, IEnumerable<(string Key, string Value, DateTimeOffset At)> records)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, EnableIdempotence = true }).Build();
        var pending = records.Select(r => producer.ProduceAsync(topic, new Message<string, string> { Key = r.Key, Value = r.Value, Timestamp = new Timestamp(r.At) })).ToList();
        producer.Flush(TimeSpan.FromSeconds(30));
        return [.. Task.WhenAll(pending).GetAwaiter().GetResult()];
    }

    internal static string KafkaSettings(MockKafka kafka, string topic, string group) => $$"""
        pipeline.mode = external
        pipeline.pii.key = "{{new string('k', 40)}}"
        pipeline.topics.transactions = "{{topic}}"
        pipeline.kafka.consumer.kafka-clients.bootstrap.servers = "{{kafka.BootstrapServers}}"
        pipeline.kafka.consumer.kafka-clients.group.id = "{{group}}"
        pipeline.kafka.producer.kafka-clients.bootstrap.servers = "{{kafka.BootstrapServers}}"
        """;

    private string KafkaOverlay(MockKafka kafka, string topic) => Overlay(KafkaSettings(kafka, topic, LiveGroup));

    private string Overlay(string extra = "")
    {
        var path = Path.Combine(_dir.FullName, $"overlay-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, $"""
            pipeline.store.sqlite.path = "{Path.Combine(_dir.FullName, "live.db")}"
            pipeline.embedded.producer.enabled = off
            {extra}
            """);
        return path;
    }

    private async Task<string> WriteLines(IEnumerable<string> lines)
    {
        var path = Path.Combine(_dir.FullName, $"input-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    private static List<string> Ids(IEnumerable<(string Key, string Value)> records) =>
        records.Select(r => TransactionId(r.Value)).Order(StringComparer.Ordinal).ToList();

    internal static List<string> Strings(string db, string sql)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return [.. values.Order(StringComparer.Ordinal)];
    }

    private static async Task<long> Scalar(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Replay(string? overlay, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] argv = overlay is null ? ["replay", .. args] : ["replay", "--config", overlay, .. args];
        var code = await Program.RunAsync(argv, stdout, stderr, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
