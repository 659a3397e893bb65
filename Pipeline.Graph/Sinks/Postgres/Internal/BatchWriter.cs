using Npgsql;
using NpgsqlTypes;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Sinks.Postgres.Internal;

/// <summary>
/// One open connection that writes batches inside the caller's transaction, by raw binary COPY of rows encoded
/// with <see cref="CopyEncoder"/> (streamed in chunks, so the server inserts while the next rows are encoded).
/// Scored rows go straight into <c>scored_transactions</c> (<see cref="CopyScoredAsync"/>), which fails with a
/// unique violation when one is already there; the idempotent path (<see cref="StageScoredAsync"/>) copies them
/// into a session staging table and moves them with <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c>. Quarantine
/// rows always take the staging path (they are few, and on TimescaleDB their table has no unique key).
/// The connection is held for the writer's lifetime because a pooled connection's reset (<c>DISCARD ALL</c>)
/// would drop the temp tables on every batch; after any failure the owner disposes this writer and opens a new one.
/// </summary>
internal sealed class BatchWriter : IAsyncDisposable
{
    private const string ScoredColumns = "ts, transaction_id, account_id, amount, currency, score, is_anomaly, severity, threshold, model_version, late, features, reasons";
    private const string QuarantineColumns = "received_at, topic, partition, \"offset\", stage, reason, detail, raw";
    private const short ScoredFields = 13;
    private const short QuarantineFields = 8;

    /// <summary>Bytes encoded before they are handed to the socket: large enough to amortise the call, small
    /// enough that the server starts inserting while the rest of the batch is encoded.</summary>
    private const int ChunkBytes = 128 * 1024;

    private readonly CopyEncoder _encoder = new(ChunkBytes + (16 * 1024));
    private readonly NpgsqlCommand _moveScored;
    private readonly NpgsqlCommand _moveQuarantine;
    private readonly NpgsqlCommand _upsertOffsets;
    private readonly string _copyScored;
    private readonly int _timeoutMilliseconds;

    private BatchWriter(NpgsqlConnection connection, string schema, TimeSpan commandTimeout)
    {
        Connection = connection;
        _timeoutMilliseconds = (int)Math.Ceiling(commandTimeout.TotalMilliseconds);
        _copyScored = $"COPY {schema}.scored_transactions ({ScoredColumns}) FROM STDIN (FORMAT BINARY)";
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

    public NpgsqlConnection Connection { get; }

    public static async Task<BatchWriter> OpenAsync(NpgsqlDataSource dataSource, string schema, TimeSpan commandTimeout, CancellationToken ct)
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

            var writer = new BatchWriter(connection, schema, commandTimeout);
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

    /// <summary>
    /// COPYs <paramref name="rows"/> straight into <c>scored_transactions</c> in the open transaction.
    /// </summary>
    /// <exception cref="PostgresException">23505 when a row is already stored or the batch holds one twice; the
    /// transaction is then aborted and must be rolled back.</exception>
    public Task CopyScoredAsync(IReadOnlyList<ScoredTransaction> rows, CancellationToken ct) =>
        CopyAsync(_copyScored, rows, ScoredFields, EncodeScored, ct);

    /// <summary>Stages <paramref name="rows"/> and inserts those not yet stored; returns how many were new.</summary>
    public async Task<int> StageScoredAsync(IReadOnlyList<ScoredTransaction> rows, NpgsqlTransaction tx, CancellationToken ct)
    {
        await CopyAsync($"COPY pipeline_stage_scored ({ScoredColumns}) FROM STDIN (FORMAT BINARY)", rows, ScoredFields, EncodeScored, ct).ConfigureAwait(false);
        _moveScored.Transaction = tx;
        return await _moveScored.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Stages <paramref name="entries"/> and inserts those not yet stored; returns how many were new.</summary>
    public async Task<int> WriteQuarantineAsync(IReadOnlyList<QuarantineEntry> entries, NpgsqlTransaction tx, CancellationToken ct)
    {
        await CopyAsync($"COPY pipeline_stage_quarantine ({QuarantineColumns}) FROM STDIN (FORMAT BINARY)", entries, QuarantineFields, EncodeQuarantine, ct).ConfigureAwait(false);
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

    private async Task CopyAsync<T>(string command, IReadOnlyList<T> items, short fields, Action<CopyEncoder, T> encode, CancellationToken ct)
    {
        var stream = await Connection.BeginRawBinaryCopyAsync(command, ct).ConfigureAwait(false);
        stream.WriteTimeout = _timeoutMilliseconds;
        stream.ReadTimeout = _timeoutMilliseconds;
        try
        {
            _encoder.Clear();
            _encoder.Header();
            for (var i = 0; i < items.Count; i++)
            {
                _encoder.StartRow(fields);
                encode(_encoder, items[i]);
                if (_encoder.Length < ChunkBytes) continue;
                await stream.WriteAsync(_encoder.Written, ct).ConfigureAwait(false);
                _encoder.Clear();
            }

            _encoder.Trailer();
            await stream.WriteAsync(_encoder.Written, ct).ConfigureAwait(false);
        }
        catch
        {
            // Never end a half-written COPY with CopyDone (it would keep the rows sent so far): abandon it. The
            // owner discards this writer after any failure, so a cancel that fails too changes nothing.
            _encoder.Clear();
            try
            {
                await stream.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                // The connection is broken or already out of the COPY; the original failure is what matters.
            }

            throw;
        }

        _encoder.Clear();
        // Ends the COPY (CopyDone) and reads its outcome: a server error, such as a unique violation, surfaces here.
        await stream.DisposeAsync().ConfigureAwait(false);
    }

    private static void EncodeScored(CopyEncoder e, ScoredTransaction r)
    {
        e.Timestamp(r.Timestamp);
        e.Text(r.TransactionId);
        e.Text(r.AccountId);
        e.Float8(r.Amount);
        e.Text(r.Currency);
        e.Float8(r.Score);
        e.Bool(r.IsAnomaly);
        e.Text(r.Severity);
        e.Float8(r.Threshold);
        e.Text(r.ModelVersion);
        e.Bool(r.Late);
        e.JsonbObject(r.Features);
        e.JsonbArray(r.Reasons);
    }

    private static void EncodeQuarantine(CopyEncoder e, QuarantineEntry q)
    {
        e.Timestamp(q.ReceivedAt);
        e.Text(q.Topic);
        e.Int4(q.Partition);
        e.Int8(q.Offset);
        e.Text(q.Stage);
        e.Text(q.Reason);
        e.Text(q.Detail);
        e.Bytea(q.Raw.Span);
    }
}
