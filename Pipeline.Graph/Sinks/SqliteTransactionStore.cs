using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pipeline.Graph.Sinks.Internal;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Sinks;

/// <summary>
/// The embedded default's store: the tables of DESIGN §3.4 in one SQLite file (WAL mode), the same
/// set the PostgreSQL store creates. Writes run on a dedicated thread through one connection with
/// prepared statements, one transaction per batch; <c>INSERT OR IGNORE</c> on the natural keys makes
/// replays no-ops. The schema is versioned in <c>schema_migrations</c>; pending steps apply at
/// startup in one immediate (write-locking) transaction. Consumer offsets passed to
/// <see cref="WriteBatchAsync"/> are not kept (that option belongs to the PostgreSQL store).
/// </summary>
public sealed class SqliteTransactionStore : ITransactionStore
{
    private readonly string _path;
    private readonly DedicatedWorker _worker = new("sqlite-store");
    private SqliteConnection? _connection;
    private SqliteCommand? _insertScored;
    private SqliteCommand? _insertQuarantine;

    /// <summary>A store over the database file at <paramref name="path"/> (created when missing).</summary>
    public SqliteTransactionStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
    }

    /// <inheritdoc />
    public string Description => $"sqlite:{_path}";

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => _worker.Run(() =>
    {
        try
        {
            _connection = SqliteFile.Open(_path);
            Migrate();
            _insertScored = Prepare(
                "INSERT OR IGNORE INTO scored_transactions(ts, transaction_id, account_id, amount, currency, score, is_anomaly, severity, threshold, model_version, late, features, reasons, stored_at) " +
                "VALUES ($ts, $id, $account, $amount, $currency, $score, $anomaly, $severity, $threshold, $model, $late, $features, $reasons, $stored)",
                "$ts", "$id", "$account", "$amount", "$currency", "$score", "$anomaly", "$severity", "$threshold", "$model", "$late", "$features", "$reasons", "$stored");
            _insertQuarantine = Prepare(
                "INSERT OR IGNORE INTO quarantine(received_at, topic, partition, \"offset\", stage, reason, detail, raw) VALUES ($received, $topic, $partition, $offset, $stage, $reason, $detail, $raw)",
                "$received", "$topic", "$partition", "$offset", "$stage", "$reason", "$detail", "$raw");
            return true;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"cannot open the SQLite database at '{_path}': {ex.Message}", ex);
        }
    });

    /// <inheritdoc />
    public Task WriteBatchAsync(
        IReadOnlyList<ScoredTransaction> rows, IReadOnlyList<QuarantineEntry> quarantine, CancellationToken cancellationToken, IReadOnlyList<ConsumedOffset>? offsets = null) =>
        rows.Count == 0 && quarantine.Count == 0 ? Task.CompletedTask : _worker.Run(() =>
    {
        var connection = _connection ?? throw new InvalidOperationException("store not initialized");
        using var tx = connection.BeginTransaction();
        var stored = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var cmd = _insertScored!;
        cmd.Transaction = tx;
        foreach (var r in rows)
        {
            var p = cmd.Parameters;
            p[0].Value = r.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            p[1].Value = r.TransactionId;
            p[2].Value = r.AccountId;
            p[3].Value = r.Amount;
            p[4].Value = r.Currency;
            p[5].Value = r.Score;
            p[6].Value = r.IsAnomaly ? 1 : 0;
            p[7].Value = r.Severity;
            p[8].Value = r.Threshold;
            p[9].Value = r.ModelVersion;
            p[10].Value = r.Late ? 1 : 0;
            p[11].Value = JsonSerializer.Serialize(r.Features);
            p[12].Value = JsonSerializer.Serialize(r.Reasons);
            p[13].Value = stored;
            cmd.ExecuteNonQuery();
        }

        var q = _insertQuarantine!;
        q.Transaction = tx;
        foreach (var e in quarantine)
        {
            var p = q.Parameters;
            p[0].Value = e.ReceivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            p[1].Value = e.Topic;
            p[2].Value = e.Partition;
            p[3].Value = e.Offset;
            p[4].Value = e.Stage;
            p[5].Value = e.Reason;
            p[6].Value = e.Detail;
            p[7].Value = e.Raw.ToArray();
            q.ExecuteNonQuery();
        }

        tx.Commit();
        return true;
    });

    /// <inheritdoc />
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _worker.Run(() =>
            {
                using var cmd = (_connection ?? throw new InvalidOperationException("store not initialized")).CreateCommand();
                cmd.CommandText = "SELECT 1";
                return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
            }).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _worker.Run(() =>
            {
                _insertScored?.Dispose();
                _insertQuarantine?.Dispose();
                _connection?.Dispose();
                return true;
            });
        }
        finally
        {
            _worker.Dispose();
        }
    }

    private void Execute(string sql, SqliteTransaction? tx = null)
    {
        using var cmd = _connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var cmd = _connection!.CreateCommand();
        cmd.CommandText = sql;
        foreach (var name in parameters) cmd.Parameters.Add(new SqliteParameter(name, null));
        cmd.Prepare();
        return cmd;
    }

    /// <summary>The schema versions in order; each step runs once, recorded in <c>schema_migrations</c>.</summary>
    internal static readonly IReadOnlyList<(int Version, string Ddl)> Steps =
    [
        (1, """
            CREATE TABLE IF NOT EXISTS scored_transactions(
                ts TEXT NOT NULL, transaction_id TEXT NOT NULL, account_id TEXT NOT NULL, amount REAL NOT NULL,
                currency TEXT NOT NULL, score REAL NOT NULL, is_anomaly INTEGER NOT NULL, severity TEXT NOT NULL,
                threshold REAL NOT NULL, model_version TEXT NOT NULL, late INTEGER NOT NULL DEFAULT 0,
                features TEXT NOT NULL, reasons TEXT NOT NULL, stored_at TEXT NOT NULL,
                PRIMARY KEY(transaction_id, ts));
            CREATE INDEX IF NOT EXISTS ix_scored_account_ts ON scored_transactions(account_id, ts);
            CREATE TABLE IF NOT EXISTS quarantine(
                id INTEGER PRIMARY KEY AUTOINCREMENT, received_at TEXT NOT NULL, topic TEXT NOT NULL,
                partition INTEGER NOT NULL, "offset" INTEGER NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL,
                detail TEXT NOT NULL, raw BLOB NOT NULL, UNIQUE(topic, partition, "offset"));
            """),
        (2, """
            CREATE TABLE IF NOT EXISTS drift_events(
                ts TEXT NOT NULL, detector TEXT NOT NULL, signal TEXT NOT NULL, value REAL NOT NULL,
                details TEXT NOT NULL DEFAULT '{}', model_version TEXT,
                stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                PRIMARY KEY(detector, signal, ts));
            CREATE INDEX IF NOT EXISTS ix_drift_events_ts ON drift_events(ts);
            CREATE TABLE IF NOT EXISTS model_versions(
                version TEXT NOT NULL PRIMARY KEY, trained_at TEXT NOT NULL, "trigger" TEXT NOT NULL,
                metrics TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL,
                updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
            CREATE TABLE IF NOT EXISTS consumer_offsets(
                group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), PRIMARY KEY(group_id, topic, partition));
            """),
    ];

    private void Migrate()
    {
        // Immediate: a second process opening the same file waits here instead of racing the DDL.
        using var tx = _connection!.BeginTransaction(deferred: false);
        Execute("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);", tx);
        using var read = _connection.CreateCommand();
        read.Transaction = tx;
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        var current = Convert.ToInt32(read.ExecuteScalar(), CultureInfo.InvariantCulture);
        foreach (var (version, ddl) in Steps.Where(s => s.Version > current))
        {
            Execute(ddl, tx);
            Execute($"INSERT INTO schema_migrations(version, applied_at) VALUES ({version}, '{DateTimeOffset.UtcNow:O}');", tx);
        }

        tx.Commit();
    }
}
