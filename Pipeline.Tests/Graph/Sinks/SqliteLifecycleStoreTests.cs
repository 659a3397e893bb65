using Pipeline.Graph.Drift;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Sinks;
using Pipeline.Tests.Graph.Assembly;
using Xunit;

namespace Pipeline.Tests.Graph.Sinks;

public sealed class SqliteLifecycleStoreTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lifecycle-store-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Store_should_keep_one_row_per_version_and_per_drift_event_when_writes_repeat()
    {
        var path = Path.Combine(_dir.FullName, "p.db");
        await using (var rows = new SqliteTransactionStore(path)) await rows.InitializeAsync(CancellationToken.None);
        await using var store = new SqliteLifecycleStore(path);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var candidate = new ModelVersionInfo(2, ModelStatus.Candidate, "adwin drift on score", 1, at, null, null, 500, null);
        var drift = new DriftEvent(at, "adwin", "score", 0.42, "window 1024 → 32");

        await store.UpsertModelVersionAsync(candidate, CancellationToken.None);
        await store.UpsertModelVersionAsync(candidate with { Status = ModelStatus.Active, PromotedAt = at.AddMinutes(5) }, CancellationToken.None);
        await store.RecordDriftAsync(drift, "1", CancellationToken.None);
        await store.RecordDriftAsync(drift, "1", CancellationToken.None);

        Assert.Equal(1, TransactionGraphTests.Count(path, "SELECT COUNT(*) FROM model_versions"));
        Assert.Equal(1, TransactionGraphTests.Count(path, "SELECT COUNT(*) FROM model_versions WHERE version = '2' AND status = 'active'"));
        Assert.Equal(1, TransactionGraphTests.Count(path, "SELECT COUNT(*) FROM drift_events WHERE detector = 'adwin' AND model_version = '1'"));
    }
}
