using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Retraining;

namespace Pipeline.Graph.Sinks;

/// <summary>
/// The embedded default's lifecycle tables, in the SQLite file of <see cref="SqliteTransactionStore"/>
/// (which creates them). Writes are rare (drift events and version changes), so each opens a short
/// connection; WAL mode lets them run beside the row writer.
/// </summary>
public sealed class SqliteLifecycleStore(string path) : ILifecycleStore
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Mode = SqliteOpenMode.ReadWrite, DefaultTimeout = 5 }.ToString();

    /// <inheritdoc />
    public Task RecordDriftAsync(DriftEvent drift, string modelVersion, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT OR REPLACE INTO drift_events(ts, detector, signal, value, details, model_version) VALUES ($ts, $detector, $signal, $value, $details, $model)",
            cancellationToken,
            ("$ts", drift.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            ("$detector", drift.Detector),
            ("$signal", drift.Signal),
            ("$value", drift.Value),
            ("$details", JsonSerializer.Serialize(new { details = drift.Details })),
            ("$model", modelVersion));

    /// <inheritdoc />
    public Task UpsertModelVersionAsync(ModelVersionInfo version, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO model_versions(version, trained_at, \"trigger\", metrics, status, updated_at) VALUES ($version, $trained, $trigger, $metrics, $status, $updated) " +
            "ON CONFLICT(version) DO UPDATE SET \"trigger\" = excluded.\"trigger\", metrics = excluded.metrics, status = excluded.status, updated_at = excluded.updated_at",
            cancellationToken,
            ("$version", version.Version.ToString(CultureInfo.InvariantCulture)),
            ("$trained", version.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            ("$trigger", version.Trigger),
            ("$metrics", LifecycleJson.Metrics(version)),
            ("$status", version.Status.ToString().ToLowerInvariant()),
            ("$updated", DateTimeOffset.UtcNow.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task ExecuteAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
