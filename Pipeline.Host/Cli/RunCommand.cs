using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Kafka;
using Pipeline.Host.Hosting;
using Pipeline.Host.Http;
using Pipeline.Host.Inspector;
using Prometheus;

namespace Pipeline.Host.Cli;

/// <summary>
/// <c>run</c> (the default verb): runs the pipeline until SIGINT/SIGTERM. With no configuration it
/// is the embedded default — in-process Kafka-protocol broker, synthetic producer, SQLite store;
/// with <c>KAFKA_BOOTSTRAP_SERVERS</c> it consumes that cluster. Options: <c>--config name|path</c>
/// (an overlay), <c>--set key=value;…</c> (overrides).
/// </summary>
public static class RunCommand
{
    /// <summary>Runs the host; returns the process exit code.</summary>
    public static async Task<int> RunAsync(CommandLineArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var overlay = args.String("config");
        var sets = args.String("set");
        args.EnsureAllUsed();
        var environment = Program.EnvironmentVariables();
        var config = PipelineConfigLoader.Load(environment, overlay, sets);
        var options = RunOptions.Create(config);

        Preflight.ValidateKafka(options);
        MockKafkaCluster? broker = null;
        string bootstrap;
        if (options.Embedded)
        {
            broker = MockKafkaCluster.Start(options.EmbeddedBrokers);
            bootstrap = broker.BootstrapServers;
            foreach (var topic in new[] { options.Graph.TransactionsTopic, options.LabelsTopic })
            {
                broker.CreateTopic(topic, options.EmbeddedPartitions);
            }
        }
        else
        {
            bootstrap = options.Graph.Consumer.Properties.TryGetValue("bootstrap.servers", out var b) ? b : string.Empty;
            Preflight.CheckBroker(bootstrap, TimeSpan.FromSeconds(10));
        }

        try
        {
            var store = await Preflight.OpenStoreAsync(options.Graph.Store, environment, ct).ConfigureAwait(false);
            await using (store.ConfigureAwait(false))
            {
                var alerts = await Preflight.OpenAlertStoreAsync(options.Graph.Store, environment, ct).ConfigureAwait(false);
                try
                {
                    var runtime = new PipelineRuntime(options, store, alerts, new PipelineMetrics(), broker, bootstrap)
                    {
                        Persistence = Preflight.Persistence(config, options.Graph.Store, environment),
                        LifecycleStore = Preflight.OpenLifecycleStore(options.Graph.Store, environment),
                    };
                    // Last of the checks: the port must still be free when Kestrel binds it, moments later.
                    Preflight.CheckHttpEndpoint(options.HttpUrl);
                    var app = BuildApp(runtime);
                    await app.RunAsync(ct).ConfigureAwait(false);
                    return runtime.Failure is null ? 0 : 1;
                }
                finally
                {
                    if (alerts is not null) await alerts.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            broker?.Dispose();
        }
    }

    /// <summary>Builds the web host: Akka, the graph service, health and metrics endpoints, JSON logs.</summary>
    public static WebApplication BuildApp(PipelineRuntime runtime) => BuildApp(runtime, configure: null);

    /// <summary>As <see cref="BuildApp(PipelineRuntime)"/>, with <paramref name="configure"/> adding services last.</summary>
    internal static WebApplication BuildApp(PipelineRuntime runtime, Action<IServiceCollection>? configure)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(runtime.Options.HttpUrl);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = false;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = runtime.Options.DrainTimeout + TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(runtime);
        builder.Services.AddAkka("pipeline", (akka, _) =>
        {
            akka.AddHocon(runtime.Options.Config, HoconAddMode.Prepend);
            // Journal and snapshots of the model registry (Akka.Persistence.Sql, configured by HOCON).
            akka.AddHocon(runtime.Persistence.ToAkkaConfig(), HoconAddMode.Prepend);
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
        });
        if (runtime.Options.Embedded && runtime.Options.Producer.Enabled)
        {
            builder.Services.AddSingleton<IPipelineCompanion, EmbeddedProducerCompanion>();
        }

        // alerts tail and the status page read the alerts the graph wrote, with their delivery state.
        if (runtime.AlertStore is { } alertStore) builder.Services.AddSingleton<IAlertFeed>(new StoreAlertFeed(alertStore));
        builder.Services.AddHostedService<PipelineService>();
        builder.Services.AddInspector(runtime, Program.EnvironmentVariables());
        builder.Services.AddSingleton<IModelCommands, RegistryModelCommands>();
        builder.Services.AddStatusPage();
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapHealth();
        app.MapStatusPage();
        app.MapMetrics("/metrics");
        return app;
    }
}
