using Npgsql;
using NpgsqlTypes;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Retraining;

namespace Pipeline.Graph.Sinks.Postgres;

/// <summary>
/// The lifecycle tables in PostgreSQL (created by migration 001 of <see cref="PostgresTransactionStore"/>).
/// Idempotent upserts; a failure surfaces to the caller, which retries or logs.
/// </summary>
public sealed class PostgresLifecycleStore(string connectionString) : ILifecycleStore
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    /// <inheritdoc />
    public async Task RecordDriftAsync(DriftEvent drift, string modelVersion, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "INSERT INTO drift_events(ts, detector, signal, value, details, model_version) VALUES ($1, $2, $3, $4, $5, $6) " +
            "ON CONFLICT (detector, signal, ts) DO UPDATE SET value = excluded.value, details = excluded.details, model_version = excluded.model_version");
        cmd.Parameters.AddWithValue(drift.Timestamp.UtcDateTime);
        cmd.Parameters.AddWithValue(drift.Detector);
        cmd.Parameters.AddWithValue(drift.Signal);
        cmd.Parameters.AddWithValue(drift.Value);
        cmd.Parameters.Add(new NpgsqlParameter { Value = System.Text.Json.JsonSerializer.Serialize(new { details = drift.Details }), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.AddWithValue(modelVersion);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpsertModelVersionAsync(ModelVersionInfo version, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "INSERT INTO model_versions(version, trained_at, trigger, metrics, status, updated_at) VALUES ($1, $2, $3, $4, $5, now()) " +
            "ON CONFLICT (version) DO UPDATE SET trigger = excluded.trigger, metrics = excluded.metrics, status = excluded.status, updated_at = now()");
        cmd.Parameters.AddWithValue(version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue(version.CreatedAt.UtcDateTime);
        cmd.Parameters.AddWithValue(version.Trigger);
        cmd.Parameters.Add(new NpgsqlParameter { Value = LifecycleJson.Metrics(version), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.AddWithValue(version.Status.ToString().ToLowerInvariant());
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
