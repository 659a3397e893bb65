using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Sinks;
using Pipeline.Host.Cli;
using Pipeline.Host.Hosting;
using Pipeline.Tests.Graph.Assembly;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Host.Inspector;

/// <summary>
/// One embedded host (in-process broker, synthetic producer, SQLite in a temp folder) built by
/// <see cref="RunCommand.BuildApp"/> exactly as <c>run</c> does, on free HTTP and inspector ports,
/// with an inspector token. Shared by the inspector, status page and Prometheus tests to keep the
/// suite's runtime modest.
/// </summary>
public sealed class RunningHost : IAsyncLifetime
{
    public const string Token = "inspector-test-token";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("operator-");
    private MockKafkaCluster? _broker;
    private ITransactionStore? _store;

    public WebApplication App { get; private set; } = null!;

    public PipelineRuntime Runtime { get; private set; } = null!;

    public int HttpPort { get; } = FreePort.Next();

    public int InspectorPort { get; } = FreePort.Next();

    public string InspectorAddress => $"127.0.0.1:{InspectorPort}";

    public string HttpBase => $"http://127.0.0.1:{HttpPort}";

    private Pipeline.Graph.Alerting.IAlertStore? _alerts;

    public Task InitializeAsync() => StartAsync(string.Join("; ",
            $"pipeline.inspector.token = \"{Token}\"",
            "pipeline.embedded.producer.rate = 300",
            "pipeline.progress-interval = 1s"), configure: null, waitForRows: true);

    /// <summary>
    /// A host of its own with <paramref name="sets"/> on top of the temp database and free ports, and
    /// <paramref name="configure"/> adding services (a companion under test); dispose it when done.
    /// </summary>
    public static async Task<RunningHost> StartAsync(string sets, Action<IServiceCollection> configure)
    {
        var host = new RunningHost();
        try
        {
            await host.StartAsync(sets, configure, waitForRows: false);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(string sets, Action<IServiceCollection>? configure, bool waitForRows)
    {
        var environment = new Dictionary<string, string>();
        var all = string.Join("; ",
            $"pipeline.store.sqlite.path = \"{Path.Combine(_dir.FullName, "p.db")}\"",
            $"pipeline.http.url = \"{HttpBase}\"",
            $"pipeline.inspector.port = {InspectorPort}",
            sets);
        var options = RunOptions.Create(PipelineConfigLoader.Load(environment, null, all));
        _broker = MockKafkaCluster.Start(options.EmbeddedBrokers);
        foreach (var topic in new[] { options.Graph.TransactionsTopic, options.LabelsTopic }) _broker.CreateTopic(topic, options.EmbeddedPartitions);
        _store = await Preflight.OpenStoreAsync(options.Graph.Store, environment, CancellationToken.None);
        _alerts = await Preflight.OpenAlertStoreAsync(options.Graph.Store, environment, CancellationToken.None);
        Runtime = new PipelineRuntime(options, _store, _alerts, new PipelineMetrics(), _broker, _broker.BootstrapServers)
        {
            Persistence = Preflight.Persistence(options.Config, options.Graph.Store, environment),
            LifecycleStore = Preflight.OpenLifecycleStore(options.Graph.Store, environment),
        };
        App = RunCommand.BuildApp(Runtime, configure);
        await App.StartAsync();
        if (!waitForRows) return;
        await TransactionGraphTests.WaitUntil(() => Runtime.Control is not null && Runtime.Metrics.Stored >= 50 && Runtime.Control.Status().Partitions.Count == options.EmbeddedPartitions, TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        // Null when start-up failed before the app was built.
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        if (_store is not null) await _store.DisposeAsync();
        if (_alerts is not null) await _alerts.DisposeAsync();
        _broker?.Dispose();
        _dir.Delete(recursive: true);
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();
}
