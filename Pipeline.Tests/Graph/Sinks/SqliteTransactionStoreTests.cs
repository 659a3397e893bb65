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

    private static long Count(string path, string table)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)cmd.ExecuteScalar()!;
    }
}
