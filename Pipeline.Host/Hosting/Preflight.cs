using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;

namespace Pipeline.Host.Hosting;

/// <summary>
/// Checks made before anything starts, so bad configuration ends in one clear line and a non-zero
/// exit instead of a stack trace or a reconnect loop: librdkafka accepts every property, the store
/// opens, and the broker answers.
/// </summary>
public static class Preflight
{
    /// <summary>Asks librdkafka to accept the consumer's properties.</summary>
    /// <exception cref="KafkaConfigurationException">An unknown key or invalid value, named.</exception>
    public static void ValidateKafka(RunOptions options) => options.Graph.Consumer.Validate();

    /// <summary>Creates the configured store and initialises its schema (PostgreSQL: applies pending migrations).</summary>
    /// <param name="settings"><c>pipeline.store</c>.</param>
    /// <param name="environment">Environment variables (the SQLite data folder).</param>
    /// <param name="ct">Abandons opening.</param>
    /// <param name="loggerFactory">Where the PostgreSQL store logs migrations and connection rebuilds; null logs nothing.</param>
    /// <param name="postgresMetrics">The PostgreSQL store's metrics; null registers them in the default registry.</param>
    /// <exception cref="StoreUnavailableException">The store cannot be opened; says where and why.</exception>
    public static async Task<ITransactionStore> OpenStoreAsync(
        StoreSettings settings,
        IReadOnlyDictionary<string, string> environment,
        CancellationToken ct,
        ILoggerFactory? loggerFactory = null,
        PostgresStoreMetrics? postgresMetrics = null)
    {
        ITransactionStore store = settings.Kind switch
        {
            "none" => new NullTransactionStore(),
            "postgres" => new PostgresTransactionStore(settings.Postgres, postgresMetrics, loggerFactory?.CreateLogger<PostgresTransactionStore>()),
            _ => new SqliteTransactionStore(SqlitePath(settings, environment)),
        };
        try
        {
            await store.InitializeAsync(ct).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The alert store beside the transaction store: the same SQLite file, or the same PostgreSQL
    /// database (whose migrations the transaction store applied); none when rows are not kept.
    /// </summary>
    public static async Task<IAlertStore?> OpenAlertStoreAsync(StoreSettings settings, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        IAlertStore? store = settings.Kind switch
        {
            "none" => null,
            "postgres" => new PostgresAlertStore(settings.Postgres.ConnectionString),
            _ => new SqliteAlertStore(SqlitePath(settings, environment)),
        };
        if (store is null) return null;
        try
        {
            await store.InitializeAsync(ct).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The lifecycle tables beside the transaction store (same SQLite file or PostgreSQL database); null for kind none.</summary>
    public static ILifecycleStore? OpenLifecycleStore(StoreSettings settings, IReadOnlyDictionary<string, string> environment) => settings.Kind switch
    {
        "none" => null,
        "postgres" => new Pipeline.Graph.Sinks.Postgres.PostgresLifecycleStore(settings.Postgres.ConnectionString),
        _ => new SqliteLifecycleStore(SqlitePath(settings, environment)),
    };

    /// <summary>
    /// The model registry's journal and snapshot store: <c>pipeline.persistence</c> as configured, or,
    /// when its connection string is empty, the PostgreSQL database of the store (provider
    /// postgresql) or a SQLite file beside the store's (provider sqlite).
    /// </summary>
    public static PersistenceSettings Persistence(Akka.Configuration.Config config, StoreSettings store, IReadOnlyDictionary<string, string> environment)
    {
        var settings = PersistenceSettings.Create(config);
        if (settings.ConnectionString.Length > 0) return settings;
        if (settings.Provider == "postgresql") return settings.WithConnectionString(store.Postgres.ConnectionString);
        var dir = Path.GetDirectoryName(SqlitePath(store, environment))!;
        Directory.CreateDirectory(dir);
        return settings.WithConnectionString($"Data Source={Path.Combine(dir, "akka-persistence.db")}");
    }

    /// <summary>The SQLite file: the setting, or the per-user data folder (never the current directory).</summary>
    public static string SqlitePath(StoreSettings settings, IReadOnlyDictionary<string, string> environment)
    {
        if (!string.IsNullOrWhiteSpace(settings.SqlitePath)) return Path.GetFullPath(settings.SqlitePath);
        var root = environment.GetValueOrDefault("PIPELINE_DATA_DIR");
        if (string.IsNullOrWhiteSpace(root))
        {
            root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
            if (string.IsNullOrWhiteSpace(root)) root = Path.Combine(Path.GetTempPath(), "pipeline-data");
        }

        return Path.Combine(root, "transaction-pipeline", "pipeline.db");
    }

    /// <summary>Asks the cluster for metadata within <paramref name="timeout"/>.</summary>
    /// <exception cref="BrokerUnreachableException">No broker answered.</exception>
    public static void CheckBroker(string bootstrapServers, TimeSpan timeout)
    {
        var errors = new List<string>();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers })
            // librdkafka would print every reconnect attempt; the one line below says it all.
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, e) => errors.Add(e.Reason))
            .Build();
        try
        {
            var metadata = admin.GetMetadata(timeout);
            if (metadata.Brokers.Count == 0) throw new BrokerUnreachableException($"Kafka at '{bootstrapServers}' answered without brokers");
        }
        catch (KafkaException ex)
        {
            var reason = errors.Count > 0 ? errors[^1] : ex.Error.Reason;
            throw new BrokerUnreachableException($"cannot reach Kafka at '{bootstrapServers}' within {timeout.TotalSeconds:0}s: {reason}");
        }
    }

    /// <summary>
    /// Binds each address and port of <paramref name="httpUrl"/> (Kestrel's <c>;</c>-separated list) for a moment,
    /// so a port already in use ends in one line before the host starts, not in Kestrel's unhandled exception.
    /// </summary>
    /// <exception cref="ConfigurationException">A URL does not parse, or its address cannot be bound.</exception>
    public static void CheckHttpEndpoint(string httpUrl)
    {
        foreach (var url in httpUrl.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcard hosts are not URI hosts.
            var parseable = url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parseable, UriKind.Absolute, out var uri))
            {
                throw new ConfigurationException($"setting 'pipeline.http.url' = '{url}' is not an absolute URL such as http://127.0.0.1:8080");
            }

            if (uri.Port == 0) continue;
            var address = uri.IsLoopback ? IPAddress.Loopback : IPAddress.TryParse(uri.Host, out var parsed) ? parsed : IPAddress.Any;
            var listener = new TcpListener(address, uri.Port);
            try
            {
                listener.Start();
            }
            catch (SocketException ex)
            {
                throw new ConfigurationException($"cannot listen on {url} for /health and /metrics ({ex.SocketErrorCode}): set pipeline.http.url or PIPELINE_HTTP_URL to a free address (port 0 = any free port)");
            }
            finally
            {
                listener.Stop();
            }
        }
    }
}
