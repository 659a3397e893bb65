using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Npgsql;
using NpgsqlTypes;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Sinks.Postgres;

[Trait("Category", "Integration")]
public sealed class PostgresTransactionStoreTests(ITestOutputHelper output)
{
    private static readonly TopicPartition P0 = new(PostgresTestData.Topic, 0);
    private static readonly TopicPartition P1 = new(PostgresTestData.Topic, 1);

    private static async Task<(PostgresTransactionStore Store, string ConnectionString, PostgresStoreMetrics Metrics)> OpenAsync(bool storeOffsets = false)
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("store");
        var metrics = new PostgresStoreMetrics(Metrics.NewCustomRegistry());
        var store = new PostgresTransactionStore(PostgresTestData.Settings(cs, storeOffsets), metrics);
        await store.InitializeAsync(CancellationToken.None);
        return (store, cs, metrics);
    }

    [Fact]
    public async Task WriteBatch_should_keep_every_column_when_a_row_is_read_back()
    {
        var (store, cs, _) = await OpenAsync();
        await using var _ = store;
        var row = PostgresTestData.Row(10) with { Features = new Dictionary<string, double> { ["amount_z"] = 3.25, ["nan_feature"] = double.NaN } };

        await store.WriteBatchAsync([row], [], CancellationToken.None);

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT ts, transaction_id, account_id, amount, currency, score, is_anomaly, severity, threshold, model_version, late, features::text, reasons::text, stored_at, jsonb_typeof(features), features->>'amount_z' FROM scored_transactions", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(row.Timestamp, new DateTimeOffset(reader.GetFieldValue<DateTime>(0)));
        Assert.Equal(row.TransactionId, reader.GetString(1));
        Assert.Equal(row.AccountId, reader.GetString(2));
        Assert.Equal(row.Amount, reader.GetDouble(3));
        Assert.Equal(row.Currency, reader.GetString(4));
        Assert.Equal(row.Score, reader.GetDouble(5));
        Assert.Equal(row.IsAnomaly, reader.GetBoolean(6));
        Assert.Equal(row.Severity, reader.GetString(7));
        Assert.Equal(row.Threshold, reader.GetDouble(8));
        Assert.Equal(row.ModelVersion, reader.GetString(9));
        Assert.Equal(row.Late, reader.GetBoolean(10));
        var features = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(reader.GetString(11))!;
        Assert.Equal(3.25, features["amount_z"].GetDouble());
        Assert.Equal("NaN", features["nan_feature"].GetString());
        Assert.Equal(row.Reasons, JsonSerializer.Deserialize<string[]>(reader.GetString(12)));
        Assert.True(DateTime.UtcNow - reader.GetFieldValue<DateTime>(13) < TimeSpan.FromMinutes(5));
        Assert.Equal("object", reader.GetString(14));
        Assert.Equal("3.25", reader.GetString(15));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task WriteBatch_should_write_nothing_new_when_the_same_batch_is_replayed()
    {
        var (store, cs, metrics) = await OpenAsync();
        await using var _ = store;
        var rows = Enumerable.Range(0, 500).Select(PostgresTestData.Row).ToList();
        var quarantine = Enumerable.Range(0, 5).Select(i => PostgresTestData.Quarantined(1, 100 + i)).ToList();
        await store.WriteBatchAsync(rows, quarantine, CancellationToken.None);
        var storedAt = await PostgresTestData.ScalarAsync(cs, "SELECT (extract(epoch FROM max(stored_at)) * 1000000)::bigint FROM scored_transactions");

        // A replay after a crash: the same rows, some of them together with new ones.
        await store.WriteBatchAsync(rows, quarantine, CancellationToken.None);
        await store.WriteBatchAsync([.. rows.Skip(490), PostgresTestData.Row(500)], [], CancellationToken.None);

        Assert.Equal(501, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
        Assert.Equal(5, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM quarantine"));
        Assert.Equal(storedAt, await PostgresTestData.ScalarAsync(cs, "SELECT (extract(epoch FROM max(stored_at)) * 1000000)::bigint FROM scored_transactions WHERE transaction_id <> 'tx-000000500'"));
        Assert.Equal(501, metrics.Inserted("scored_transactions"));
        Assert.Equal(510, metrics.Duplicates("scored_transactions"));
        Assert.Equal(5, metrics.Duplicates("quarantine"));
    }

    [Fact]
    public async Task WriteBatch_should_keep_one_row_when_a_batch_holds_the_same_transaction_twice()
    {
        var (store, cs, _) = await OpenAsync();
        await using var _ = store;

        await store.WriteBatchAsync([PostgresTestData.Row(1), PostgresTestData.Row(1)], [PostgresTestData.Quarantined(0, 9), PostgresTestData.Quarantined(0, 9)], CancellationToken.None);

        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM quarantine"));
    }

    [Fact]
    public async Task WriteBatch_should_keep_the_original_bytes_when_records_are_quarantined()
    {
        var (store, cs, _) = await OpenAsync();
        await using var _ = store;
        var entry = PostgresTestData.Quarantined(3, 42) with { Detail = "bad\0byte" };

        await store.WriteBatchAsync([], [entry], CancellationToken.None);

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT received_at, topic, partition, \"offset\", stage, reason, detail, raw FROM quarantine", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(entry.ReceivedAt, new DateTimeOffset(reader.GetFieldValue<DateTime>(0)));
        Assert.Equal(entry.Topic, reader.GetString(1));
        Assert.Equal(3, reader.GetInt32(2));
        Assert.Equal(42, reader.GetInt64(3));
        Assert.Equal("decode", reader.GetString(4));
        Assert.Equal("not_json", reader.GetString(5));
        Assert.Equal("bad\uFFFDbyte", reader.GetString(6));
        Assert.Equal(entry.Raw.ToArray(), reader.GetFieldValue<byte[]>(7));
    }

    [Fact]
    public async Task WriteBatch_should_store_the_next_offset_per_partition_when_store_offsets_is_on()
    {
        var (store, cs, _) = await OpenAsync(storeOffsets: true);
        await using var _ = store;

        await store.WriteBatchAsync([PostgresTestData.Row(1)], [], CancellationToken.None,
            [new ConsumedOffset(PostgresTestData.Group, P0, 11), new ConsumedOffset(PostgresTestData.Group, P1, 4), new ConsumedOffset("other-group", P0, 99)]);
        await store.WriteBatchAsync([PostgresTestData.Row(2)], [], CancellationToken.None, [new ConsumedOffset(PostgresTestData.Group, P0, 25)]);

        var offsets = await store.LoadOffsetsAsync(PostgresTestData.Group, null, CancellationToken.None);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 25, [P1] = 4 }, offsets);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P1] = 4 }, await store.LoadOffsetsAsync(PostgresTestData.Group, [P1, new TopicPartition("t", 7)], CancellationToken.None));
        Assert.Equal(3, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM consumer_offsets"));
    }

    [Fact]
    public async Task WriteBatch_should_roll_back_the_rows_when_writing_the_offsets_fails()
    {
        var (store, cs, _) = await OpenAsync(storeOffsets: true);
        await using var _ = store;

        // consumer_offsets rejects a negative offset: the last step of the batch's transaction fails.
        await Assert.ThrowsAsync<PostgresException>(() => store.WriteBatchAsync(
            [PostgresTestData.Row(1)], [PostgresTestData.Quarantined(0, 1)], CancellationToken.None, [new ConsumedOffset(PostgresTestData.Group, P0, -5)]));
        await store.WriteBatchAsync([PostgresTestData.Row(2)], [], CancellationToken.None, [new ConsumedOffset(PostgresTestData.Group, P0, 3)]);

        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
        Assert.Equal(0, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM quarantine"));
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 3 }, await store.LoadOffsetsAsync(PostgresTestData.Group, null, CancellationToken.None));
    }

    [Fact]
    public async Task WriteBatch_should_not_touch_consumer_offsets_when_store_offsets_is_off()
    {
        var (store, cs, _) = await OpenAsync(storeOffsets: false);
        await using var _ = store;

        await store.WriteBatchAsync([PostgresTestData.Row(1)], [], CancellationToken.None, [new ConsumedOffset(PostgresTestData.Group, P0, 11)]);

        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
        Assert.Empty(await store.LoadOffsetsAsync(PostgresTestData.Group, null, CancellationToken.None));
    }

    [Fact]
    public async Task WriteBatch_should_print_its_throughput_against_a_raw_binary_copy_when_writing_10k_row_batches()
    {
        const int batch = 10_000;
        const int batches = 6;
        var (store, cs, metrics) = await OpenAsync();
        await using var _ = store;
        var rows = Enumerable.Range(0, batch * (batches + 1)).Select(PostgresTestData.Row).ToList();
        await using var raw = await RawCopy.OpenAsync(cs);
        // Warm-up of both paths: connections, type loading, plans.
        await store.WriteBatchAsync(rows[..batch], [], CancellationToken.None);
        await raw.WriteAsync(rows[..batch]);

        // Interleaved, so a neighbour's load on the shared machine hits both paths alike.
        var storeTime = TimeSpan.Zero;
        var rawTime = TimeSpan.Zero;
        for (var b = 1; b <= batches; b++)
        {
            var slice = rows.GetRange(b * batch, batch);
            var watch = Stopwatch.StartNew();
            await store.WriteBatchAsync(slice, [], CancellationToken.None);
            storeTime += watch.Elapsed;
            watch.Restart();
            await raw.WriteAsync(slice);
            rawTime += watch.Elapsed;
        }

        var storeRate = batch * batches / storeTime.TotalSeconds;
        var rawRate = batch * batches / rawTime.TotalSeconds;
        output.WriteLine($"store: {batches} x {batch} rows in {storeTime.TotalMilliseconds:F0} ms = {storeRate:F0} rows/s; " +
                         $"raw binary COPY of the same rows into an identical table: {rawTime.TotalMilliseconds:F0} ms = {rawRate:F0} rows/s; ratio {storeRate / rawRate:P0}");
        Assert.Equal(batch * (batches + 1), await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
        Assert.Equal(batch * (batches + 1), await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM raw_copy"));
        Assert.Equal(batch * (batches + 1), metrics.Inserted("scored_transactions"));
    }

    [Fact]
    public async Task Initialize_should_fail_in_one_line_naming_the_endpoint_when_nothing_listens()
    {
        var port = FreePort.Next();
        await using var store = new PostgresTransactionStore(PostgresTestData.Settings($"Host=127.0.0.1;Port={port};Username=u;Password=hunter2;Database=d;Timeout=3"));

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}/d", ex.Message);
        Assert.DoesNotContain("hunter2", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.False(await store.IsHealthyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Initialize_should_ask_for_a_connection_string_when_none_is_set()
    {
        await using var store = new PostgresTransactionStore(PostgresTestData.Store().Postgres);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("TIMESCALE_URL", ex.Message);
    }

    [Fact]
    public async Task IsHealthy_should_answer_true_when_the_database_is_reachable()
    {
        var (store, _, _) = await OpenAsync();
        await using var _ = store;

        Assert.True(await store.IsHealthyAsync(CancellationToken.None));
    }

    /// <summary>The baseline: binary COPY straight into a table shaped like scored_transactions (same indexes), one transaction per batch.</summary>
    private sealed class RawCopy : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;

        private RawCopy(NpgsqlConnection connection) => _connection = connection;

        public static async Task<RawCopy> OpenAsync(string cs)
        {
            var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE raw_copy (LIKE scored_transactions INCLUDING ALL)", connection);
            await create.ExecuteNonQueryAsync();
            return new RawCopy(connection);
        }

        public async Task WriteAsync(IReadOnlyList<Pipeline.Models.Domain.ScoredTransaction> rows)
        {
            await using var tx = await _connection.BeginTransactionAsync();
            await using (var copy = await _connection.BeginBinaryImportAsync(
                "COPY raw_copy (ts, transaction_id, account_id, amount, currency, score, is_anomaly, severity, threshold, model_version, late, features, reasons) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var r in rows)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(r.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(r.TransactionId, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.AccountId, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Amount, NpgsqlDbType.Double);
                    await copy.WriteAsync(r.Currency, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Score, NpgsqlDbType.Double);
                    await copy.WriteAsync(r.IsAnomaly, NpgsqlDbType.Boolean);
                    await copy.WriteAsync(r.Severity, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Threshold, NpgsqlDbType.Double);
                    await copy.WriteAsync(r.ModelVersion, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Late, NpgsqlDbType.Boolean);
                    await copy.WriteAsync(JsonSerializer.Serialize(r.Features), NpgsqlDbType.Jsonb);
                    await copy.WriteAsync(JsonSerializer.Serialize(r.Reasons), NpgsqlDbType.Jsonb);
                }

                await copy.CompleteAsync();
            }

            await tx.CommitAsync();
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
