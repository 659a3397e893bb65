using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Npgsql;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Host.Hosting;
using Pipeline.Models.Synthetic;
using Pipeline.Tests.Infrastructure;
using Prometheus;

namespace Pipeline.Tests.Graph.Alerting;

/// <summary>
/// The real transaction graph and the real Slack delivery stream, wired as the host wires them, against a
/// mock Kafka cluster, a fresh PostgreSQL database (rows, alerts, outbox) and a fake Slack receiver. The
/// configuration is the reference file plus the environment a deployment sets and the test's overrides.
/// </summary>
internal sealed class LiveAlertingPipeline : IAsyncDisposable
{
    private const int Partitions = 8;
    private readonly List<IAsyncDisposable> _disposables = [];
    private HttpClient? _http;
    private TransactionGraphServices? _services;
    private DrainingControl<Done>? _graph;
    private AlertDeliveryControl? _delivery;

    private LiveAlertingPipeline(MockKafka kafka, string topic, string database)
    {
        Kafka = kafka;
        Topic = topic;
        Database = database;
    }

    public MockKafka Kafka { get; }

    public string Topic { get; }

    public string Database { get; }

    public PipelineMetrics Metrics { get; } = new(Prometheus.Metrics.NewCustomRegistry());

    public TransactionGraphSettings Settings { get; private set; } = null!;

    /// <summary>Starts the graph and Slack delivery and waits until the consumer owns its partitions.</summary>
    /// <param name="system">Runs both streams.</param>
    /// <param name="slack">Where the Slack channel posts.</param>
    /// <param name="overrides">HOCON overrides, <c>key = value</c> pairs separated by semicolons (as <c>--set</c>).</param>
    public static async Task<LiveAlertingPipeline> StartAsync(ActorSystem system, Uri slack, string overrides)
    {
        var kafka = MockKafka.Start();
        var pipeline = new LiveAlertingPipeline(kafka, kafka.CreateTopic("live-tx", Partitions), await PostgresServer.Shared.CreateDatabaseAsync("live"));
        try
        {
            await pipeline.RunAsync(system, slack, overrides);
            return pipeline;
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }
    }

    /// <summary>Offers synthetic transactions (attack phase: fraud among drifted habits, so alerts keep firing) at <paramref name="rate"/> per second.</summary>
    public PacedProducer Produce(double rate, int seed) =>
        PacedProducer.Start(Kafka.BootstrapServers, Topic, rate, new GeneratorOptions
        {
            Seed = seed,
            Accounts = 400,
            NormalCount = 0,
            DriftCount = 0,
            AttackCount = 50_000_000,
            AttackFraction = 0.02,
        });

    /// <summary>Waits until <paramref name="condition"/> holds, or fails after <paramref name="timeout"/> saying <paramref name="what"/>.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (_graph?.StreamCompletion.IsCompleted == true) throw new InvalidOperationException($"the graph stopped while waiting until {what}", _graph.StreamCompletion.Exception);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not {what} within {timeout}");
            await Task.Delay(50);
        }
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }

    /// <summary>Drains the graph (every consumed record stored and committed) and stops delivery.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_graph is not null) await _graph.DrainAndShutdown().WaitAsync(TimeSpan.FromSeconds(60));
        if (_delivery is not null) await _delivery.StopAsync(TimeSpan.FromSeconds(10));
        if (_services is not null) await TransactionGraphServicesFactory.DisposeAsync(_services);
        foreach (var disposable in _disposables) await disposable.DisposeAsync();
        _http?.Dispose();
        Kafka.Dispose();
    }

    private async Task RunAsync(ActorSystem system, Uri slack, string overrides)
    {
        var environment = new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = Kafka.BootstrapServers,
            ["PIPELINE_STORE"] = "postgres",
            ["TIMESCALE_URL"] = Database,
            ["SLACK_WEBHOOK_URL"] = slack.ToString(),
            ["PIPELINE_PII_KEY"] = new string('k', 40),
        };
        var options = RunOptions.Create(PipelineConfigLoader.Load(environment, null, overrides));
        // The broker is librdkafka's mock: the consumer gets the embedded mode's short fetch wait, as the host gives it.
        var all = options.GraphOn(Kafka.BootstrapServers, mockBroker: true);
        Settings = all with
        {
            TransactionsTopic = Topic,
            Consumer = all.Consumer.WithProperty("session.timeout.ms", "6000").WithProperty("heartbeat.interval.ms", "500"),
        };

        var store = new PostgresTransactionStore(Settings.Store.Postgres);
        _disposables.Add(store);
        await store.InitializeAsync(CancellationToken.None);
        var alerts = new PostgresAlertStore(Settings.Store.Postgres.ConnectionString);
        _disposables.Add(alerts);
        await alerts.InitializeAsync(CancellationToken.None);

        var log = Logging.GetLogger(system, "live-pipeline");
        var materializer = system.Materializer(namePrefix: "live");
        _services = await TransactionGraphServicesFactory.CreateAsync(Settings, store, alerts, Metrics, TimeProvider.System, log, Prometheus.Metrics.NewCustomRegistry());
        _graph = TransactionGraph.Create(Settings, _services).Run(materializer);
        // As the host: one delivery stream for Slack, beside the graph, sharing its alert store.
        _http = AlertHttp.CreateClient(TimeSpan.FromSeconds(5));
        var channel = new SlackChannel(_http, Settings.Alerting, TimeProvider.System);
        _delivery = AlertDelivery.Create(alerts, channel, Settings.Alerting, _services.AlertMetrics, TimeProvider.System, log, "live-host").Run(materializer);
        await WaitUntilAsync(() => Task.FromResult(_graph.Status().Partitions.Count == Partitions), TimeSpan.FromSeconds(60), "the consumer owned every partition");
    }
}
