using Akka.Event;
using Confluent.Kafka;
using Npgsql;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Kafka.Internal;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Domain;
using Pipeline.Tests.Graph.Scoring;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Alerting;

/// <summary>Elements, settings and databases for the alerting tests.</summary>
internal static class AlertTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly FakeConsumer Consumer = new();

    public static AlertingSettings Settings(string overrides = "") =>
        AlertingSettings.Create(ReferenceConfigFile.With(overrides).GetConfig(AlertingSettings.DefaultPath));

    /// <summary>Fast delivery settings for tests: short poll, short backoffs; Slack at <paramref name="slackUrl"/> when given.</summary>
    public static AlertingSettings FastSettings(Uri? slackUrl = null, string extra = "") => Settings(
        $$"""
        pipeline.alerting {
          console.enabled = off
          slack.webhook-url = "{{slackUrl}}"
          slack.rate = 1000
          slack.burst = 100
          slack.timeout = 1s
          outbox { poll-interval = 20ms, lease = 10s, min-backoff = 200ms, max-backoff = 5s, random-factor = 0 }
          delivery.restart { min-backoff = 50ms, max-backoff = 500ms }
          writer.retry { min-backoff = 50ms, max-backoff = 500ms }
        }
        {{extra}}
        """);

    public static ScoredTransaction Scored(int i, string account, string severity = "HIGH", double score = 0.9, bool anomaly = true, string[]? reasons = null, TimeSpan? at = null) => new()
    {
        Timestamp = T0 + (at ?? TimeSpan.FromSeconds(i)),
        TransactionId = $"00000000-0000-4000-8000-{i:D12}",
        AccountId = account,
        Amount = 1234.5 + i,
        Currency = "EUR",
        Score = score,
        IsAnomaly = anomaly,
        Severity = severity,
        Threshold = 0.7,
        ModelVersion = "v1",
        Features = new Dictionary<string, double> { ["amount"] = 0.9 },
        Reasons = reasons ?? ["amount_above"],
    };

    public static ScoredElement Element(long offset, ScoredTransaction scored) =>
        new(Offset(offset), T0, scored);

    public static CommittableOffset Offset(long offset) => new(Consumer, new TopicPartition("transactions", new Partition(0)), offset, 1);

    public static Alert Alert(int i, string account, Severity severity = Severity.High, string[]? reasons = null) =>
        Pipeline.Models.Alerting.Alert.From(Scored(i, account, SeverityBuckets.WireName(severity), reasons: reasons), T0);

    /// <summary>A fresh database with migration 002_alerting.sql applied.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var connectionString = await PostgresServer.Shared.CreateDatabaseAsync("alerting");
        await ApplyMigrationAsync(connectionString);
        return connectionString;
    }

    /// <summary>An initialized alert store of <paramref name="kind"/>: a fresh PostgreSQL database, or SQLite at <paramref name="sqlitePath"/>.</summary>
    public static async Task<IAlertStore> OpenStoreAsync(string kind, string sqlitePath)
    {
        IAlertStore store = kind == "postgres" ? new PostgresAlertStore(await CreateDatabaseAsync()) : new SqliteAlertStore(sqlitePath);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    public static async Task ApplyMigrationAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(File.ReadAllText(MigrationPath()), connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public static ILoggingAdapter Log() => new CapturingLog();

    private static string MigrationPath() => RepositoryFile.At("Pipeline.Graph", "Sinks", "Postgres", "Migrations", "002_alerting.sql");

    private sealed class FakeConsumer : IConsumerHost
    {
        public string GroupId => "alerting-tests";

        public Task Commit(IReadOnlyList<OffsetToCommit> offsets, string trigger) => Task.CompletedTask;
    }
}
