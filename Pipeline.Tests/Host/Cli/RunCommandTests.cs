using Confluent.Kafka;
using Pipeline.Host;
using Pipeline.Tests.Graph.Assembly;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

[Trait("Category", "Integration")]
public sealed class RunCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("run-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Run_should_exit_1_with_one_line_naming_the_key_when_a_librdkafka_key_is_unknown()
    {
        var (code, stderr) = await Run("--set", $"pipeline.kafka.consumer.kafka-clients.no.such.key = 1; {Db()}");

        Assert.Equal(1, code);
        Assert.Single(Lines(stderr));
        Assert.Contains("no.such.key", stderr);
    }

    [Fact]
    public async Task Run_should_exit_1_with_one_line_when_the_broker_is_unreachable()
    {
        var port = FreePort.Next();
        var (code, stderr) = await Run("--set", $"pipeline.mode = external; pipeline.pii.key = \"{new string('k', 40)}\"; pipeline.kafka.consumer.kafka-clients.bootstrap.servers = \"127.0.0.1:{port}\"; {Db()}");

        Assert.Equal(1, code);
        Assert.Single(Lines(stderr));
        Assert.Contains($"127.0.0.1:{port}", stderr);
    }

    [Fact]
    public async Task Run_should_exit_1_with_one_line_naming_the_path_when_the_database_is_unwritable()
    {
        var blocker = Path.Combine(_dir.FullName, "file");
        await File.WriteAllTextAsync(blocker, "x");
        var path = Path.Combine(blocker, "db", "p.db");

        var (code, stderr) = await Run("--set", $"pipeline.store.sqlite.path = \"{path}\"; pipeline.embedded.producer.enabled = off");

        Assert.Equal(1, code);
        Assert.Single(Lines(stderr));
        Assert.Contains(path, stderr);
    }

    [Fact]
    public async Task Run_should_exit_1_with_one_line_naming_the_url_when_the_http_port_is_taken()
    {
        // Kestrel's bind failure used to end the process with an unhandled exception (exit 134) after the graph had started.
        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";

            var (code, stderr) = await Run("--set", $"pipeline.http.url = \"{url}\"; {Db()}");

            Assert.Equal(1, code);
            Assert.Single(Lines(stderr));
            Assert.Contains($"cannot listen on {url}", stderr);
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public async Task Run_should_exit_2_when_an_option_is_unknown()
    {
        var (code, stderr) = await Run("--colour", "blue");

        Assert.Equal(2, code);
        Assert.Contains("--colour", stderr);
    }

    [Fact]
    public async Task Run_should_commit_every_processed_offset_and_exit_0_when_stopped_against_an_external_cluster()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("run", 4);
        var records = TransactionGraphTests.Transactions(500);
        kafka.Produce(topic, records);
        var db = Path.Combine(_dir.FullName, "ext.db");
        using var cts = new CancellationTokenSource();
        var run = Program.RunAsync(
            ["run", "--set", $"pipeline.mode = external; pipeline.kafka.consumer.kafka-clients.bootstrap.servers = \"{kafka.BootstrapServers}\"; pipeline.topics.transactions = \"{topic}\"; pipeline.store.sqlite.path = \"{db}\"; pipeline.http.url = \"http://127.0.0.1:0\"; pipeline.kafka.consumer.kafka-clients.session.timeout.ms = 6000; pipeline.kafka.consumer.kafka-clients.heartbeat.interval.ms = 500; pipeline.kafka.producer.kafka-clients.bootstrap.servers = \"{kafka.BootstrapServers}\"; pipeline.pii.key = \"{new string('k', 40)}\""],
            TextWriter.Null, TextWriter.Null, cts.Token);

        await TransactionGraphTests.WaitUntil(() => run.IsCompleted || (File.Exists(db) && SafeCount(db) >= records.Count), TimeSpan.FromSeconds(90));
        await cts.CancelAsync();
        var code = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, code);
        var committed = kafka.CommittedOffsets("pipeline", MockKafka.Partitions(topic, 4));
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = "w" }).Build();
        foreach (var tp in MockKafka.Partitions(topic, 4))
        {
            Assert.Equal(consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value, committed[tp]);
        }
    }

    [Fact]
    public async Task Run_should_process_transactions_and_exit_0_on_cancel_when_started_with_no_configuration()
    {
        var db = Path.Combine(_dir.FullName, "embedded.db");
        using var cts = new CancellationTokenSource();
        var run = Program.RunAsync(["--set", $"pipeline.store.sqlite.path = \"{db}\"; pipeline.http.url = \"http://127.0.0.1:0\""], TextWriter.Null, TextWriter.Null, cts.Token);

        await TransactionGraphTests.WaitUntil(() => run.IsCompleted || (File.Exists(db) && SafeCount(db) >= 100), TimeSpan.FromSeconds(60));
        await cts.CancelAsync();
        var code = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, code);
        Assert.True(SafeCount(db) >= 100);
        // The model registry's versions are mirrored into model_versions beside the rows.
        Assert.True(TransactionGraphTests.Count(db, "SELECT COUNT(*) FROM model_versions WHERE status = 'active'") >= 1);
        Assert.True(File.Exists(Path.Combine(_dir.FullName, "akka-persistence.db")), "the registry journal lives beside the store");
    }

    [Fact]
    public async Task Run_should_process_every_transaction_when_the_embedded_producer_runs_above_1000_per_second()
    {
        // Above 1,000/s the producer's event-time gap is below a millisecond; the generator refused it, and the
        // host ran on without input.
        var db = Path.Combine(_dir.FullName, "fast.db");
        using var cts = new CancellationTokenSource();
        var run = Program.RunAsync(
            ["--set", $"pipeline.store.sqlite.path = \"{db}\"; pipeline.http.url = \"http://127.0.0.1:0\"; pipeline.inspector.port = {FreePort.Next()}; pipeline.embedded.producer.rate = 4000; pipeline.embedded.producer.count = 4000"],
            TextWriter.Null, TextWriter.Null, cts.Token);

        await TransactionGraphTests.WaitUntil(() => run.IsCompleted || (File.Exists(db) && SafeCount(db) >= 4000), TimeSpan.FromSeconds(60));
        await cts.CancelAsync();

        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(4000, SafeCount(db));
    }

    private string Db() => $"pipeline.store.sqlite.path = \"{Path.Combine(_dir.FullName, "x.db")}\"";

    private static async Task<(int Code, string Stderr)> Run(params string[] args)
    {
        var stderr = new StringWriter();
        var code = await Program.RunAsync(args, TextWriter.Null, stderr, CancellationToken.None);
        return (code, stderr.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static long SafeCount(string db)
    {
        try
        {
            return TransactionGraphTests.Count(db, "SELECT COUNT(*) FROM scored_transactions");
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return 0;
        }
    }
}
