using Confluent.Kafka;
using Npgsql;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Kafka.Internal;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Models.Domain;
using Pipeline.Tests.Graph.Scoring;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Sinks.Postgres;

/// <summary>Rows, offsets and settings for the PostgreSQL store tests.</summary>
internal static class PostgresTestData
{
    public const string Group = "pg-store-tests";
    public const string Topic = "transactions";
    private static readonly DateTimeOffset Epoch = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary><c>pipeline.store</c> from the reference file with the given overrides (HOCON inside the store block).</summary>
    public static StoreSettings Store(string overrides = "") =>
        StoreSettings.Create(ReferenceConfigFile.With(overrides.Length == 0 ? string.Empty : $"pipeline.store {{ {overrides} }}").GetConfig("pipeline.store"));

    public static PostgresStoreSettings Settings(string connectionString, bool storeOffsets = false, string schema = "public") =>
        Store().Postgres.WithConnectionString(connectionString).WithStoreOffsets(storeOffsets) with { Schema = schema };

    /// <summary>A scored row with every column set; ids are unique per <paramref name="i"/>, timestamps microsecond-exact.</summary>
    public static ScoredTransaction Row(int i) => new()
    {
        Timestamp = Epoch.AddTicks(i * 10_010L),
        TransactionId = $"tx-{i:D9}",
        AccountId = $"acc-{i % 97}",
        Amount = 10.25 + i,
        Currency = i % 2 == 0 ? "EUR" : "USD",
        Score = (i % 100) / 100.0,
        IsAnomaly = i % 10 == 0,
        Severity = i % 10 == 0 ? "HIGH" : "LOW",
        Threshold = 0.87,
        ModelVersion = "hst-3",
        Late = i % 7 == 0,
        Features = new Dictionary<string, double> { ["amount_z"] = i * 0.5, ["count_1m"] = i % 5 },
        Reasons = i % 10 == 0 ? ["amount_above_threshold", "new_country"] : [],
    };

    public static QuarantineEntry Quarantined(int partition, long offset) =>
        new(Epoch.AddSeconds(offset), Topic, partition, offset, "decode", "not_json", "payload is not JSON", new byte[] { 0x7b, 0x00, (byte)offset });

    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Stands in for a Kafka consumer: elements need its offsets, nothing is committed here.</summary>
    public sealed class FakeConsumer : IConsumerHost
    {
        public string GroupId => Group;

        public CommittableOffset Offset(int partition, long offset) => new(this, new TopicPartition(Topic, partition), offset, epoch: 1);

        public Task Commit(IReadOnlyList<OffsetToCommit> offsets, string trigger) => Task.CompletedTask;
    }
}
