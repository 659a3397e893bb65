using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Sinks.Postgres.Internal;

/// <summary>
/// One open connection with session-local staging tables. A batch is binary-COPYed into the
/// staging tables and moved into the real tables with <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c>
/// inside the caller's transaction (the staging tables empty themselves at commit), so a replayed
/// batch inserts nothing. The connection is held for the writer's lifetime because a pooled
/// connection's reset (<c>DISCARD ALL</c>) would drop the temp tables on every batch; after any
/// failure the owner disposes this writer and opens a new one.
/// </summary>
internal sealed class StagingWriter : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly NpgsqlCommand _moveScored;
    private readonly NpgsqlCommand _moveQuarantine;
    private readonly NpgsqlCommand _upsertOffsets;
    private readonly int _copyTimeoutSeconds;

    private StagingWriter(NpgsqlConnection connection, string schema, int copyTimeoutSeconds)
    {
        Connection = connection;
        _copyTimeoutSeconds = copyTimeoutSeconds;
        _moveScored = new NpgsqlCommand(
            $"INSERT INTO {schema}.scored_transactions ({ScoredColumns}) SELECT {ScoredColumns} FROM pipeline_stage_scored ON CONFLICT (transaction_id, ts) DO NOTHING",
            connection);
        // NOT EXISTS also covers the TimescaleDB layout, where quarantine has no unique key (see StorageLayout).
        _moveQuarantine = new NpgsqlCommand(
            $"INSERT INTO {schema}.quarantine ({QuarantineColumns}) " +
            $"SELECT DISTINCT ON (s.topic, s.partition, s.\"offset\") {string.Join(", ", QuarantineColumns.Split(", ").Select(c => "s." + c))} FROM pipeline_stage_quarantine s " +
            $"WHERE NOT EXISTS (SELECT 1 FROM {schema}.quarantine q WHERE q.topic = s.topic AND q.partition = s.partition AND q.\"offset\" = s.\"offset\") " +
            "ON CONFLICT DO NOTHING",
            connection);
        // Last writer wins, as a Kafka commit does: a partition re-read from an older position moves it back.
        _upsertOffsets = new NpgsqlCommand(
            $"INSERT INTO {schema}.consumer_offsets (group_id, topic, partition, next_offset, updated_at) " +
            "SELECT g, t, p, o, now() FROM unnest(@groups, @topics, @partitions, @offsets) AS u(g, t, p, o) " +
            "ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = EXCLUDED.updated_at",
            connection);
        _upsertOffsets.Parameters.Add(new NpgsqlParameter("groups", NpgsqlDbType.Array | NpgsqlDbType.Text));
        _upsertOffsets.Parameters.Add(new NpgsqlParameter("topics", NpgsqlDbType.Array | NpgsqlDbType.Text));
        _upsertOffsets.Parameters.Add(new NpgsqlParameter("partitions", NpgsqlDbType.Array | NpgsqlDbType.Integer));
        _upsertOffsets.Parameters.Add(new NpgsqlParameter("offsets", NpgsqlDbType.Array | NpgsqlDbType.Bigint));
    }

    private const string ScoredColumns = "ts, transaction_id, account_id, amount, currency, score, is_anomaly, severity, threshold, model_version, late, features, reasons";
    private const string QuarantineColumns = "received_at, topic, partition, \"offset\", stage, reason, detail, raw";

    public NpgsqlConnection Connection { get; }

    public static async Task<StagingWriter> OpenAsync(NpgsqlDataSource dataSource, string schema, TimeSpan commandTimeout, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            // A batch's commit releases its Kafka offsets, so it must survive a server crash even
            // where the server runs with asynchronous commit (which may lose acknowledged commits).
            await using (var create = new NpgsqlCommand(
                """
                SET synchronous_commit TO on;
                CREATE TEMP TABLE IF NOT EXISTS pipeline_stage_scored (
                    ts timestamptz, transaction_id text, account_id text, amount double precision, currency text,
                    score double precision, is_anomaly boolean, severity text, threshold double precision,
                    model_version text, late boolean, features jsonb, reasons jsonb) ON COMMIT DELETE ROWS;
                CREATE TEMP TABLE IF NOT EXISTS pipeline_stage_quarantine (
                    received_at timestamptz, topic text, partition integer, "offset" bigint, stage text,
                    reason text, detail text, raw bytea) ON COMMIT DELETE ROWS
                """, connection))
            {
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            var writer = new StagingWriter(connection, schema, (int)Math.Ceiling(commandTimeout.TotalSeconds));
            await writer._moveScored.PrepareAsync(ct).ConfigureAwait(false);
            await writer._moveQuarantine.PrepareAsync(ct).ConfigureAwait(false);
            await writer._upsertOffsets.PrepareAsync(ct).ConfigureAwait(false);
            return writer;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stages and inserts <paramref name="rows"/>; returns how many were new.</summary>
    public async Task<int> WriteScoredAsync(IReadOnlyList<ScoredTransaction> rows, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using (var copy = await Connection.BeginBinaryImportAsync($"COPY pipeline_stage_scored ({ScoredColumns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
        {
            copy.Timeout = TimeSpan.FromSeconds(_copyTimeoutSeconds);
            foreach (var r in rows)
            {
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(r.TransactionId), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(r.AccountId), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Amount, NpgsqlDbType.Double, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(r.Currency), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Score, NpgsqlDbType.Double, ct).ConfigureAwait(false);
                await copy.WriteAsync(r.IsAnomaly, NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(r.Severity), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Threshold, NpgsqlDbType.Double, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(r.ModelVersion), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Late, NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
                await copy.WriteAsync(JsonText(JsonSerializer.Serialize(r.Features, Json)), NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
                await copy.WriteAsync(JsonText(JsonSerializer.Serialize(r.Reasons, Json)), NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
            }

            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }

        _moveScored.Transaction = tx;
        return await _moveScored.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Stages and inserts <paramref name="entries"/>; returns how many were new.</summary>
    public async Task<int> WriteQuarantineAsync(IReadOnlyList<QuarantineEntry> entries, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using (var copy = await Connection.BeginBinaryImportAsync($"COPY pipeline_stage_quarantine ({QuarantineColumns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
        {
            copy.Timeout = TimeSpan.FromSeconds(_copyTimeoutSeconds);
            foreach (var e in entries)
            {
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(e.ReceivedAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(e.Topic), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(e.Partition, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(e.Offset, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(e.Stage), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(e.Reason), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(Text(e.Detail), NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await copy.WriteAsync(e.Raw.ToArray(), NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
            }

            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }

        _moveQuarantine.Transaction = tx;
        return await _moveQuarantine.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Upserts one next offset per (group, topic, partition); the highest wins within the call.</summary>
    public async Task WriteOffsetsAsync(IReadOnlyList<ConsumedOffset> offsets, NpgsqlTransaction tx, CancellationToken ct)
    {
        var latest = offsets
            .GroupBy(o => (o.GroupId, o.TopicPartition.Topic, o.TopicPartition.Partition.Value))
            .Select(g => g.MaxBy(o => o.NextOffset)!)
            .ToArray();
        _upsertOffsets.Parameters[0].Value = latest.Select(o => o.GroupId).ToArray();
        _upsertOffsets.Parameters[1].Value = latest.Select(o => o.TopicPartition.Topic).ToArray();
        _upsertOffsets.Parameters[2].Value = latest.Select(o => o.TopicPartition.Partition.Value).ToArray();
        _upsertOffsets.Parameters[3].Value = latest.Select(o => o.NextOffset).ToArray();
        _upsertOffsets.Transaction = tx;
        await _upsertOffsets.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _moveScored.DisposeAsync().ConfigureAwait(false);
        await _moveQuarantine.DisposeAsync().ConfigureAwait(false);
        await _upsertOffsets.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }

    // PostgreSQL text cannot hold U+0000 and jsonb rejects \u0000; such a row would fail its batch
    // on every retry and stall the stream, so the character is replaced instead.
    private static string Text(string value) => value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;

    private static string JsonText(string json) => json.Contains("\\u0000", StringComparison.Ordinal) ? json.Replace("\\u0000", "\\uFFFD", StringComparison.Ordinal) : json;
}
