using System.Text.Json;
using Confluent.Kafka;
using Npgsql;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Graph.Sinks.Postgres;

[Trait("Category", "Integration")]
public sealed class PostgresTransactionStoreTests
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

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task WriteBatch_should_write_as_many_batches_at_once_as_there_are_writers(int writers)
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("writers");
        await using var store = new PostgresTransactionStore(PostgresTestData.Settings(cs).WithWriters(writers), new PostgresStoreMetrics(Metrics.NewCustomRegistry()));
        await store.InitializeAsync(CancellationToken.None);
        // Another session holds the table, so every COPY that starts waits for its lock and shows in pg_stat_activity.
        await using var blocker = new NpgsqlConnection(cs);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand("LOCK TABLE scored_transactions IN ACCESS EXCLUSIVE MODE", blocker, hold)) await lockCmd.ExecuteNonQueryAsync();

        var writes = Enumerable.Range(0, 4).Select(b => store.WriteBatchAsync(Enumerable.Range(b * 10, 10).Select(PostgresTestData.Row).ToList(), [], CancellationToken.None)).ToList();
        var waitingSql = $"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = 'transaction-pipeline'";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await PostgresTestData.ScalarAsync(cs, waitingSql) < writers && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Task.Delay(300); // a store admitting more writers than configured would show them by now
        var waiting = await PostgresTestData.ScalarAsync(cs, waitingSql);
        await hold.RollbackAsync();
        await Task.WhenAll(writes);

        Assert.Equal(writers, store.ConcurrentWrites);
        Assert.Equal(writers, waiting);
        Assert.Equal(40, await PostgresTestData.ScalarAsync(cs, "SELECT count(DISTINCT transaction_id) FROM scored_transactions"));
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
    public async Task WriteBatch_should_copy_directly_again_when_a_replay_is_over()
    {
        var (store, cs, metrics) = await OpenAsync();
        await using var _ = store;
        var first = Enumerable.Range(0, 100).Select(PostgresTestData.Row).ToList();
        var second = Enumerable.Range(100, 100).Select(PostgresTestData.Row).ToList();
        await store.WriteBatchAsync(first, [], CancellationToken.None);

        // The replay falls back to the idempotent path; the next batch, all new, ends the replay.
        await store.WriteBatchAsync(first, [], CancellationToken.None);
        await store.WriteBatchAsync(second, [], CancellationToken.None);
        Assert.Equal(1, metrics.ReplayFallbacks);
        // Back on the direct COPY: a later replay is detected (and handled) once more.
        await store.WriteBatchAsync([.. second.Take(5), PostgresTestData.Row(200)], [], CancellationToken.None);

        Assert.Equal(2, metrics.ReplayFallbacks);
        Assert.Equal(201, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
        Assert.Equal(201, metrics.Inserted("scored_transactions"));
        Assert.Equal(105, metrics.Duplicates("scored_transactions"));
    }

    [Fact]
    public async Task WriteBatch_should_store_rows_quarantine_and_offsets_once_when_a_replayed_batch_falls_back()
    {
        var (store, cs, _) = await OpenAsync(storeOffsets: true);
        await using var _ = store;
        var rows = Enumerable.Range(0, 50).Select(PostgresTestData.Row).ToList();
        await store.WriteBatchAsync(rows, [], CancellationToken.None, [new ConsumedOffset(PostgresTestData.Group, P0, 50)]);

        // The direct COPY of this batch fails on the first row and rolls back; the retry writes the rest once.
        await store.WriteBatchAsync([.. rows, PostgresTestData.Row(50)], [PostgresTestData.Quarantined(0, 51)], CancellationToken.None,
            [new ConsumedOffset(PostgresTestData.Group, P0, 52)]);

        Assert.Equal(51, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM quarantine"));
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 52 }, await store.LoadOffsetsAsync(PostgresTestData.Group, null, CancellationToken.None));
    }

    [Fact]
    public async Task WriteBatch_should_read_back_text_and_json_exactly_when_values_need_escaping_or_are_not_finite()
    {
        var (store, cs, _) = await OpenAsync();
        await using var _ = store;
        var row = PostgresTestData.Row(1) with
        {
            AccountId = "acc \"quoted\" \\ tab\t é ✓",
            ModelVersion = "v\0nul",
            Timestamp = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(1_234_560),
            Features = new Dictionary<string, double>
            {
                ["key \"with\" quotes"] = -0.0,
                ["tiny"] = 1e-5,
                ["huge"] = -1.7976931348623157e308,
                ["third"] = 1.0 / 3,
                ["up"] = double.PositiveInfinity,
            },
            Reasons = ["new_country", "line\nbreak", "nul\0inside"],
        };

        await store.WriteBatchAsync([row], [], CancellationToken.None);

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT account_id, model_version, ts, features::text, reasons::text FROM scored_transactions", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(row.AccountId, reader.GetString(0));
        Assert.Equal("v\uFFFDnul", reader.GetString(1));
        Assert.Equal(row.Timestamp, new DateTimeOffset(reader.GetFieldValue<DateTime>(2)));
        var features = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(reader.GetString(3))!;
        Assert.Equal(0.0, features["key \"with\" quotes"].GetDouble());
        Assert.Equal(1e-5, features["tiny"].GetDouble());
        Assert.Equal(-1.7976931348623157e308, features["huge"].GetDouble());
        Assert.Equal(1.0 / 3, features["third"].GetDouble());
        Assert.Equal("Infinity", features["up"].GetString());
        Assert.Equal(new[] { "new_country", "line\nbreak", "nul\uFFFDinside" }, JsonSerializer.Deserialize<string[]>(reader.GetString(4))!);
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
}
