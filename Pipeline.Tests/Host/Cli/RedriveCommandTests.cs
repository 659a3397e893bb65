using System.Text.Json.Nodes;
using Akka.Streams;
using Confluent.Kafka;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Sinks;
using Pipeline.Host;
using Pipeline.Host.Hosting;
using Pipeline.Tests.Graph.Assembly;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Host.Cli;

[Trait("Category", "Integration")]
public sealed class RedriveCommandTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IDisposable
{
    private const string CardNumber = "4111 1111 1111 1111";
    private const string Email = "alice.redrive@example.com";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("redrive-");

    void IDisposable.Dispose()
    {
        _dir.Delete(recursive: true);
        base.Dispose();
    }

    [Fact]
    public async Task Redrive_should_list_without_producing_then_produce_records_that_are_scored_after_the_payload_limit_was_raised()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("redrive", 2);
        var dlq = $"dlq-{Guid.NewGuid():N}";
        var group = MockKafka.NewGroupId("live");
        var valid = TransactionGraphTests.Transactions(80);
        var large = Large(TransactionGraphTests.Transactions(5));
        kafka.Produce(topic, valid.Concat(large));
        var db = Path.Combine(_dir.FullName, "live.db");
        var settings = Settings(kafka, topic, dlq, group);
        var strict = settings with { Ingest = settings.Ingest with { MaxPayloadBytes = 700 } };
        await RunGraph(strict, db, records: valid.Count + large.Count);
        Assert.Equal(5, TransactionGraphTests.Count(db, "SELECT COUNT(*) FROM quarantine WHERE reason = 'payload_too_large'"));
        var overlay = Overlay(kafka, topic, dlq, group);
        var before = HighWatermarks(kafka, topic);

        var (dryCode, dryRun, _) = await Redrive(overlay, "--reason", "payload_too_large");
        var afterDryRun = HighWatermarks(kafka, topic);
        var (code, redriven, stderr) = await Redrive(overlay, "--reason", "payload_too_large", "--confirm");
        var afterRedrive = HighWatermarks(kafka, topic);
        // The fix: the default limit (1 MiB). Same group, so only the re-driven records are read.
        await RunGraph(settings, db, records: large.Count);

        Assert.Equal(0, dryCode);
        Assert.Contains("5 dead letters match (decode/payload_too_large: 5)", dryRun);
        Assert.Contains("dry run: nothing was produced", dryRun);
        Assert.Equal(before, afterDryRun);
        Assert.True(code == 0, stderr);
        Assert.Contains("re-drove 5 records", redriven);
        Assert.Equal(before.Values.Sum() + 5, afterRedrive.Values.Sum());
        var ids = large.Select(l => ReplayCommandTests.TransactionId(l.Value)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ids, ReplayCommandTests.Strings(db, $"SELECT transaction_id FROM scored_transactions WHERE transaction_id IN ('{string.Join("','", ids)}')"));
        Assert.Equal(valid.Count + large.Count, TransactionGraphTests.Count(db, "SELECT COUNT(*) FROM scored_transactions"));
        foreach (var text in new[] { dryRun, redriven, stderr })
        {
            Assert.DoesNotContain(CardNumber, text);
            Assert.DoesNotContain(Email, text);
        }
    }

    [Fact]
    public async Task Redrive_should_refuse_the_quarantine_table_as_a_source_because_it_holds_masked_bytes()
    {
        var (code, _, stderr) = await Redrive(null, "--from", "quarantine");

        Assert.Equal(2, code);
        Assert.Contains("masked", stderr);
    }

    [Fact]
    public async Task Redrive_should_exit_1_pointing_to_the_inspector_when_the_mode_is_embedded()
    {
        var (code, _, stderr) = await Redrive(null);

        Assert.Equal(1, code);
        Assert.Contains("dlq redrive --confirm", stderr);
    }

    // Transactions made larger than the strict limit by an unknown field, with PII that must never be printed.
    private static List<(string Key, string Value)> Large(IEnumerable<(string Key, string Value)> records) =>
        records.Select(r =>
        {
            var json = JsonNode.Parse(r.Value)!.AsObject();
            json["transaction_id"] = Guid.NewGuid().ToString();
            json["card_number"] = CardNumber;
            json["email"] = Email;
            json["note"] = new string('n', 800);
            return (r.Key, json.ToJsonString());
        }).ToList();

    private static TransactionGraphSettings Settings(MockKafka kafka, string topic, string dlq, string group)
    {
        var all = RunOptions.Create(PipelineConfigLoader.Load(new Dictionary<string, string>(), null, null)).Graph.WithBootstrapServers(kafka.BootstrapServers);
        return all with
        {
            TransactionsTopic = topic,
            DeadLetterTopic = dlq,
            Consumer = all.Consumer.WithGroupId(group).WithProperty("session.timeout.ms", "6000").WithProperty("heartbeat.interval.ms", "500"),
        };
    }

    private async Task RunGraph(TransactionGraphSettings settings, string db, int records)
    {
        var store = new SqliteTransactionStore(db);
        await store.InitializeAsync(CancellationToken.None);
        var alerts = new SqliteAlertStore(db);
        await alerts.InitializeAsync(CancellationToken.None);
        var metrics = new PipelineMetrics(Metrics.NewCustomRegistry());
        var services = await TransactionGraphServicesFactory.CreateAsync(settings, store, alerts, metrics, TimeProvider.System, Sys.Log, Metrics.NewCustomRegistry());
        var control = TransactionGraph.Create(settings, services).Run(Sys.Materializer());
        await TransactionGraphTests.WaitUntil(() => metrics.Committed >= records, TimeSpan.FromSeconds(60));
        await control.DrainAndShutdown();
        Assert.True(control.StreamCompletion.IsCompletedSuccessfully);
        await TransactionGraphServicesFactory.DisposeAsync(services);
        await alerts.DisposeAsync();
        await store.DisposeAsync();
    }

    private static Dictionary<int, long> HighWatermarks(MockKafka kafka, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = "watermarks" }).Build();
        return MockKafka.Partitions(topic, 2).ToDictionary(tp => tp.Partition.Value, tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value);
    }

    private string Overlay(MockKafka kafka, string topic, string dlq, string group)
    {
        var path = Path.Combine(_dir.FullName, "redrive.conf");
        File.WriteAllText(path, ReplayCommandTests.KafkaSettings(kafka, topic, group) + $"\npipeline.topics.dlq = \"{dlq}\"\npipeline.store.sqlite.path = \"{Path.Combine(_dir.FullName, "live.db")}\"\n");
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Redrive(string? overlay, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] argv = overlay is null ? ["redrive", .. args] : ["redrive", "--config", overlay, .. args];
        var code = await Program.RunAsync(argv, stdout, stderr, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
