using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Npgsql;
using Pipeline.Models.Domain;
using Pipeline.Models.Synthetic;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Host.Faults;

/// <summary>
/// DESIGN §4 "killing the host at any moment and restarting it loses no transaction and leaves no duplicate
/// row", against the real host binary: a separate process consuming a mock Kafka cluster in this process,
/// storing to a real PostgreSQL database and posting alerts to a fake Slack on loopback, SIGKILLed at seeded
/// random moments while transactions stream in.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Kills = 6;
    private const int Seed = 20260301;
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("host-kill-");
    private FakeSlackServer _slack = null!;

    public async Task InitializeAsync() => _slack = await FakeSlackServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _slack.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Host_should_store_every_transaction_once_and_post_every_alert_when_killed_repeatedly_mid_stream()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("kill-tx", 4);
        var labels = kafka.CreateTopic("kill-labels", 4);
        var db = await PostgresServer.Shared.CreateDatabaseAsync("hostkill");
        var transactions = Transactions();
        var portions = Portions(transactions, Kills + 1);
        var environment = HostEnvironment(kafka.BootstrapServers, db);
        var args = Arguments(topic, labels);
        var random = new Random(Seed);
        var killedAt = new List<long>();

        // Each run gets its portion of input while it runs, and all but the last are killed at a seeded
        // random point of their backlog — while rows are being written, offsets stored, alerts claimed and
        // posted — so each run both makes progress and dies mid-stream.
        var produced = 0;
        for (var run = 0; run < Kills; run++)
        {
            var before = (int)Math.Max(0, await CountAsync(db, "SELECT count(*) FROM scored_transactions"));
            produced += portions[run].Count;
            var backlog = produced - before;
            // Rows land in store batches of up to 1000: leave at least one batch unwritten at the kill.
            var target = before + random.Next(backlog / 10, Math.Max(backlog / 10 + 1, backlog - 1200));
            using var host = HostProcess.Start(environment, args);
            var producing = Task.Run(() => kafka.Produce(topic, portions[run]));
            await WaitUntilAsync(async () => await CountAsync(db, "SELECT count(*) FROM scored_transactions") >= target, host, $"run {run} did not reach {target} rows");
            host.Kill();
            await producing;
            var storedAtKill = await CountAsync(db, "SELECT count(*) FROM scored_transactions");
            killedAt.Add(storedAtKill);
            output.WriteLine($"run {run}: killed (SIGKILL) at {storedAtKill} of {produced} rows (target {target}), {_slack.Requests.Count} Slack posts so far");
        }

        // The last run gets the rest and is left to finish: every row stored, every alert delivered, and
        // the group's committed offsets caught up with the end of every partition.
        using (var last = HostProcess.Start(environment, args))
        {
            var watch = Stopwatch.StartNew();
            kafka.Produce(topic, portions[^1]);
            await WaitUntilAsync(async () => await CountAsync(db, "SELECT count(*) FROM scored_transactions") >= transactions.Count, last, "not every transaction was stored");
            await WaitUntilAsync(async () => await CountAsync(db, "SELECT count(*) FROM alert_outbox WHERE state <> 'delivered'") == 0, last, "not every alert was delivered");
            var ends = EndOffsets(kafka, topic, 4);
            await WaitUntilAsync(() => Task.FromResult(kafka.CommittedOffsets("pipeline", ends.Keys).All(c => c.Value == ends[c.Key])), last, "the committed offsets did not reach the end offsets");
            output.WriteLine($"final run: caught up in {watch.Elapsed.TotalSeconds:0.0}s");
            last.Kill();
        }

        var rows = await CountAsync(db, "SELECT count(*) FROM scored_transactions");
        var distinct = await CountAsync(db, "SELECT count(DISTINCT transaction_id) FROM scored_transactions");
        var stored = await ListAsync(db, "SELECT transaction_id FROM scored_transactions");
        var alertIds = (await ListAsync(db, "SELECT alert_id::text FROM alerts")).ToHashSet();
        var posts = _slack.Requests;
        var posted = posts.Where(p => p.AlertId is not null).Select(p => p.AlertId!).ToList();
        var delivered = _slack.DeliveredAlertIds;
        var redelivered = posts.Where(p => p.Delivered).GroupBy(p => p.AlertId).Count(g => g.Count() > 1);
        output.WriteLine($"{Kills} kills at {string.Join(", ", killedAt)} stored rows; {rows} rows for {transactions.Count} transactions; " +
                         $"{alertIds.Count} alerts, {posts.Count} posts, {delivered.Count} distinct delivered, {redelivered} delivered more than once");

        Assert.Equal(transactions.Count, rows);
        Assert.Equal(rows, distinct);
        Assert.Equal(transactions.Select(t => t.Transaction.TransactionId).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.NotEmpty(alertIds);
        Assert.All(posts, p => Assert.NotNull(p.AlertId));
        Assert.All(posted, id => Assert.Contains(id, alertIds));
        Assert.Equal(alertIds.Order(StringComparer.Ordinal), delivered.Order(StringComparer.Ordinal));
    }

    private static List<GeneratedTransaction> Transactions() =>
        TransactionGenerator.Generate(new GeneratorOptions
        {
            Seed = Seed,
            Accounts = 150,
            NormalCount = 13000,
            DriftCount = 0,
            AttackCount = 8000,
            AttackFraction = 0.08,
            Start = DateTimeOffset.UtcNow.AddHours(-3),
            MeanInterArrival = TimeSpan.FromMilliseconds(500),
        }).ToList();

    private static List<List<(string Key, string Value)>> Portions(List<GeneratedTransaction> all, int count)
    {
        var size = (all.Count + count - 1) / count;
        return all.Chunk(size)
            .Select(chunk => chunk.Select(g => (g.Transaction.AccountId, Encoding.UTF8.GetString(TransactionJson.Serialize(g.Transaction)))).ToList())
            .ToList();
    }

    private Dictionary<string, string> HostEnvironment(string bootstrap, string db) => new()
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap,
        ["PIPELINE_STORE"] = "postgres",
        ["TIMESCALE_URL"] = db,
        ["SLACK_WEBHOOK_URL"] = _slack.Url.ToString(),
        ["PIPELINE_PII_KEY"] = new string('k', 40),
        ["PIPELINE_HTTP_URL"] = "http://127.0.0.1:0",
        ["PIPELINE_DATA_DIR"] = _dir.FullName,
    };

    // Short session timeout: a killed member is expired quickly so the restarted one gets its partitions.
    // Every alert goes to Slack (no severity floor), fast enough to drain, under leases short enough that
    // rows a killed host had claimed come back within the test. The registry journal lives in PostgreSQL.
    private static string[] Arguments(string topic, string labels) =>
    [
        "run", "--set", string.Join("; ",
            $"pipeline.topics.transactions = \"{topic}\"",
            $"pipeline.topics.labels = \"{labels}\"",
            "pipeline.kafka.consumer.kafka-clients.session.timeout.ms = 6000",
            "pipeline.kafka.consumer.kafka-clients.heartbeat.interval.ms = 500",
            "pipeline.persistence.provider = postgresql",
            "pipeline.alerting.console.enabled = off",
            "pipeline.alerting.min-severity-for-slack = LOW",
            "pipeline.alerting.slack.rate = 500",
            "pipeline.alerting.slack.burst = 50",
            "pipeline.alerting.slack.timeout = 2s",
            "pipeline.alerting.outbox.lease = 5s",
            "pipeline.alerting.outbox.poll-interval = 50ms",
            "pipeline.progress-interval = 1s"),
    ];

    private static Dictionary<TopicPartition, long?> EndOffsets(MockKafka kafka, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = "watermarks" }).Build();
        return MockKafka.Partitions(topic, partitions).ToDictionary(tp => tp, tp => (long?)consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, HostProcess host, string failure)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (host.HasExited) throw new InvalidOperationException($"{failure}: the host exited early\n{host.Tail()}");
            if (watch.Elapsed > RunDeadline) throw new TimeoutException($"{failure} within {RunDeadline}\n{host.Tail()}");
            await Task.Delay(50);
        }
    }

    private static async Task<long> CountAsync(string db, string sql)
    {
        try
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync());
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The first host has not applied the migrations yet.
            return -1;
        }
    }

    private static async Task<List<string>> ListAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
