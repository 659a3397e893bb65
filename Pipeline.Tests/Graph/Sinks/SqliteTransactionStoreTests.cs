using Microsoft.Data.Sqlite;
using Pipeline.Graph.Sinks;
using Pipeline.Models.Domain;
using Xunit;

namespace Pipeline.Tests.Graph.Sinks;

public sealed class SqliteTransactionStoreTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("sqlite-store-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task WriteBatch_should_write_nothing_new_when_the_same_batch_is_replayed()
    {
        var path = Path.Combine(_dir.FullName, "p.db");
        await using var store = new SqliteTransactionStore(path);
        await store.InitializeAsync(CancellationToken.None);
        var rows = Enumerable.Range(0, 50).Select(Row).ToList();
        var quarantine = new[] { new QuarantineEntry(DateTimeOffset.UtcNow, "transactions", 1, 42, "decode", "not_json", "payload is not JSON", "x{"u8.ToArray()) };

        await store.WriteBatchAsync(rows, quarantine, CancellationToken.None);
        await store.WriteBatchAsync(rows, quarantine, CancellationToken.None);

        Assert.Equal(50, Count(path, "scored_transactions"));
        Assert.Equal(1, Count(path, "quarantine"));
    }

    [Fact]
    public async Task Initialize_should_fail_with_the_path_in_one_line_when_the_file_cannot_be_created()
    {
        var blocker = Path.Combine(_dir.FullName, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        await using var store = new SqliteTransactionStore(Path.Combine(blocker, "sub", "p.db"));

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains(blocker, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task Initialize_should_create_the_same_tables_as_the_postgres_store_and_record_each_schema_step()
    {
        var path = Path.Combine(_dir.FullName, "t.db");
        await using (var store = new SqliteTransactionStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        foreach (var table in new[] { "scored_transactions", "quarantine", "drift_events", "model_versions", "consumer_offsets" })
        {
            Assert.Equal(1, Scalar(path, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"));
        }

        Assert.Equal(SqliteTransactionStore.Steps.Count, Count(path, "schema_migrations"));
        Assert.Equal(SqliteTransactionStore.Steps[^1].Version, Scalar(path, "SELECT MAX(version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Initialize_should_add_the_missing_tables_and_keep_the_rows_when_the_file_has_the_first_schema_version()
    {
        var path = Path.Combine(_dir.FullName, "v1.db");
        using (var c = new SqliteConnection($"Data Source={path}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);" +
                              "INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00Z');" + SqliteTransactionStore.Steps[0].Ddl;
            cmd.ExecuteNonQuery();
        }

        await using (var store = new SqliteTransactionStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
            await store.WriteBatchAsync([Row(1)], [], CancellationToken.None);
        }

        await using (var reopened = new SqliteTransactionStore(path))
        {
            await reopened.InitializeAsync(CancellationToken.None);
        }

        Assert.Equal(1, Scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'consumer_offsets'"));
        Assert.Equal(1, Count(path, "scored_transactions"));
        Assert.Equal(SqliteTransactionStore.Steps.Count, Count(path, "schema_migrations"));
    }

    [Fact]
    public async Task IsHealthy_should_answer_true_when_the_database_is_open()
    {
        await using var store = new SqliteTransactionStore(Path.Combine(_dir.FullName, "h.db"));
        await store.InitializeAsync(CancellationToken.None);

        Assert.True(await store.IsHealthyAsync(CancellationToken.None));
    }

    internal static ScoredTransaction Row(int i) => new()
    {
        Timestamp = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i),
        TransactionId = $"00000000-0000-0000-0000-{i:D12}",
        AccountId = $"acc-{i % 7}",
        Amount = 10 + i,
        Currency = "EUR",
        Score = 0.1,
        IsAnomaly = false,
        Severity = "LOW",
        Threshold = 0.9,
        ModelVersion = "test",
        Features = new Dictionary<string, double> { ["amount"] = i },
        Reasons = [],
    };

    private static long Count(string path, string table) => Scalar(path, $"SELECT COUNT(*) FROM {table}");

    private static long Scalar(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
