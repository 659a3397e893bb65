using Microsoft.Data.Sqlite;
using Pipeline.Graph.Alerting.Internal;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Internal;
using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// <see cref="IAlertStore"/> for the embedded default: the same three tables as PostgreSQL in a SQLite
/// file (usually the transaction store's, in WAL mode). All work runs on one dedicated thread through
/// one connection; each write and each claim is one <c>BEGIN IMMEDIATE</c> transaction, which gives
/// the same one-claimer-per-row guarantee <c>SKIP LOCKED</c> gives on PostgreSQL within one process.
/// Times are stored as fixed-width UTC text, so text order is time order.
/// </summary>
public sealed class SqliteAlertStore : IAlertStore, IOutboxSignalSource
{
    private const int SchemaVersion = 2;
    private readonly string _path;
    private readonly DedicatedWorker _worker = new("sqlite-alerts");
    private SqliteConnection? _connection;

    /// <summary>A store over the database file at <paramref name="path"/> (created when missing).</summary>
    public SqliteAlertStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
    }

    /// <inheritdoc />
    public string Description => $"sqlite:{_path}";

    /// <inheritdoc />
    OutboxSignal IOutboxSignalSource.OutboxWritten { get; } = new();

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => _worker.Run(() =>
    {
        try
        {
            _connection = SqliteFile.Open(_path, " PRAGMA foreign_keys=ON;");
            Execute(Ddl);
            Execute($"INSERT OR IGNORE INTO schema_migrations(version, applied_at) VALUES ({SchemaVersion}, '{AlertRows.SqliteTime(DateTimeOffset.UtcNow)}');");
            return true;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"cannot open the SQLite alert database at '{_path}': {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    });

    /// <inheritdoc />
    public Task<IReadOnlySet<Guid>> FindExistingAsync(IReadOnlyCollection<Guid> alertIds, CancellationToken cancellationToken) => _worker.Run<IReadOnlySet<Guid>>(() =>
    {
        var found = new HashSet<Guid>();
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM alerts WHERE alert_id = $id";
        var p = cmd.Parameters.Add("$id", SqliteType.Text);
        foreach (var id in alertIds)
        {
            p.Value = id.ToString("D");
            if (cmd.ExecuteScalar() is not null) found.Add(id);
        }

        return found;
    });

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<CooldownKey, CooldownEntry>> LoadCooldownsAsync(IReadOnlyCollection<CooldownKey> keys, CancellationToken cancellationToken) =>
        _worker.Run<IReadOnlyDictionary<CooldownKey, CooldownEntry>>(() =>
        {
            var result = new Dictionary<CooldownKey, CooldownEntry>();
            using var cmd = Connection.CreateCommand();
            cmd.CommandText = "SELECT last_event_ts, severity, alert_id FROM alert_cooldowns WHERE account_id = $account AND reason = $reason";
            var account = cmd.Parameters.Add("$account", SqliteType.Text);
            var reason = cmd.Parameters.Add("$reason", SqliteType.Text);
            foreach (var key in keys)
            {
                account.Value = key.AccountId;
                reason.Value = key.Reason;
                using var reader = cmd.ExecuteReader();
                if (reader.Read())
                {
                    result[key] = new CooldownEntry(AlertRows.ParseSqliteTime(reader.GetString(0)), SeverityNames.Parse(reader.GetString(1)), Guid.Parse(reader.GetString(2)));
                }
            }

            return result;
        });

    /// <inheritdoc />
    public Task<int> WriteAsync(
        IReadOnlyList<Alert> alerts,
        IReadOnlyList<string> channels,
        IReadOnlyList<KeyValuePair<CooldownKey, CooldownEntry>> cooldowns,
        DateTimeOffset now,
        CancellationToken cancellationToken) => _worker.Run(() =>
    {
        var connection = Connection;
        using var tx = connection.BeginTransaction();
        var nowText = AlertRows.SqliteTime(now);
        var inserted = 0;
        using (var insert = connection.CreateCommand())
        using (var outbox = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText =
                "INSERT OR IGNORE INTO alerts(alert_id, transaction_id, account_id, event_ts, amount, currency, score, severity, threshold, reasons, model_version, created_at) " +
                "VALUES ($id, $tx, $account, $event, $amount, $currency, $score, $severity, $threshold, $reasons, $model, $created)";
            foreach (var name in new[] { "$id", "$tx", "$account", "$event", "$amount", "$currency", "$score", "$severity", "$threshold", "$reasons", "$model", "$created" })
            {
                insert.Parameters.Add(new SqliteParameter(name, null));
            }

            outbox.Transaction = tx;
            outbox.CommandText =
                "INSERT OR IGNORE INTO alert_outbox(alert_id, channel, account_id, state, attempts, next_attempt_at, created_at, updated_at) " +
                "VALUES ($id, $channel, $account, 'pending', 0, $now, $now, $now)";
            var oid = outbox.Parameters.Add("$id", SqliteType.Text);
            var ochannel = outbox.Parameters.Add("$channel", SqliteType.Text);
            var oaccount = outbox.Parameters.Add("$account", SqliteType.Text);
            outbox.Parameters.Add("$now", SqliteType.Text).Value = nowText;

            foreach (var a in alerts)
            {
                var p = insert.Parameters;
                p[0].Value = a.AlertId.ToString("D");
                p[1].Value = a.TransactionId;
                p[2].Value = a.AccountId;
                p[3].Value = AlertRows.SqliteTime(a.EventTime);
                p[4].Value = a.Amount;
                p[5].Value = a.Currency;
                p[6].Value = a.Score;
                p[7].Value = SeverityBuckets.WireName(a.Severity);
                p[8].Value = a.Threshold;
                p[9].Value = AlertRows.ReasonsJson(a.Reasons);
                p[10].Value = a.ModelVersion;
                p[11].Value = AlertRows.SqliteTime(a.CreatedAt);
                inserted += insert.ExecuteNonQuery();
                foreach (var channel in channels)
                {
                    oid.Value = a.AlertId.ToString("D");
                    ochannel.Value = channel;
                    oaccount.Value = a.AccountId;
                    outbox.ExecuteNonQuery();
                }
            }
        }

        using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = tx;
            upsert.CommandText =
                "INSERT INTO alert_cooldowns(account_id, reason, last_event_ts, severity, alert_id, updated_at) VALUES ($account, $reason, $event, $severity, $id, $now) " +
                "ON CONFLICT(account_id, reason) DO UPDATE SET last_event_ts = excluded.last_event_ts, severity = excluded.severity, alert_id = excluded.alert_id, " +
                "updated_at = excluded.updated_at WHERE alert_cooldowns.last_event_ts <= excluded.last_event_ts";
            var account = upsert.Parameters.Add("$account", SqliteType.Text);
            var reason = upsert.Parameters.Add("$reason", SqliteType.Text);
            var ev = upsert.Parameters.Add("$event", SqliteType.Text);
            var severity = upsert.Parameters.Add("$severity", SqliteType.Text);
            var id = upsert.Parameters.Add("$id", SqliteType.Text);
            upsert.Parameters.Add("$now", SqliteType.Text).Value = nowText;
            foreach (var (key, entry) in cooldowns)
            {
                account.Value = key.AccountId;
                reason.Value = key.Reason;
                ev.Value = AlertRows.SqliteTime(entry.LastEventTime);
                severity.Value = SeverityBuckets.WireName(entry.Severity);
                id.Value = entry.AlertId.ToString("D");
                upsert.ExecuteNonQuery();
            }
        }

        tx.Commit();
        if (inserted > 0 && channels.Count > 0) ((IOutboxSignalSource)this).OutboxWritten.Raise();
        return inserted;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboxEntry>> ClaimAsync(string channel, string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        _worker.Run<IReadOnlyList<OutboxEntry>>(() =>
        {
            var connection = Connection;
            using var tx = connection.BeginTransaction();
            var claimed = new List<(long Seq, string AlertId, int Attempts, string LeaseUntil)>();
            using (var cmd = connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText =
                    "UPDATE alert_outbox SET lease_owner = $owner, lease_until = $until, updated_at = $now WHERE seq IN (" +
                    "  SELECT o.seq FROM alert_outbox o WHERE o.channel = $channel AND o.state = 'pending' AND o.next_attempt_at <= $now" +
                    "    AND (o.lease_until IS NULL OR o.lease_until <= $now)" +
                    "    AND NOT EXISTS (SELECT 1 FROM alert_outbox p WHERE p.channel = o.channel AND p.account_id = o.account_id AND p.state = 'pending' AND p.seq < o.seq)" +
                    "  ORDER BY o.seq LIMIT $max) " +
                    "RETURNING seq, alert_id, attempts, lease_until";
                cmd.Parameters.Add("$owner", SqliteType.Text).Value = owner;
                cmd.Parameters.Add("$until", SqliteType.Text).Value = AlertRows.SqliteTime(now + lease);
                cmd.Parameters.Add("$now", SqliteType.Text).Value = AlertRows.SqliteTime(now);
                cmd.Parameters.Add("$channel", SqliteType.Text).Value = channel;
                cmd.Parameters.Add("$max", SqliteType.Integer).Value = max;
                using var reader = cmd.ExecuteReader();
                while (reader.Read()) claimed.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3)));
            }

            var entries = new List<OutboxEntry>(claimed.Count);
            using (var load = connection.CreateCommand())
            {
                load.Transaction = tx;
                load.CommandText =
                    "SELECT alert_id, transaction_id, account_id, event_ts, amount, currency, score, severity, threshold, reasons, model_version, created_at FROM alerts WHERE alert_id = $id";
                var id = load.Parameters.Add("$id", SqliteType.Text);
                foreach (var c in claimed.OrderBy(c => c.Seq))
                {
                    id.Value = c.AlertId;
                    using var r = load.ExecuteReader();
                    if (!r.Read()) throw new InvalidOperationException($"outbox row {c.Seq} refers to a missing alert {c.AlertId}");
                    var alert = new Alert
                    {
                        AlertId = Guid.Parse(r.GetString(0)),
                        TransactionId = r.GetString(1),
                        AccountId = r.GetString(2),
                        EventTime = AlertRows.ParseSqliteTime(r.GetString(3)),
                        Amount = r.GetDouble(4),
                        Currency = r.GetString(5),
                        Score = r.GetDouble(6),
                        Severity = SeverityNames.Parse(r.GetString(7)),
                        Threshold = r.GetDouble(8),
                        Reasons = AlertRows.ParseReasons(r.GetString(9)),
                        ModelVersion = r.GetString(10),
                        CreatedAt = AlertRows.ParseSqliteTime(r.GetString(11)),
                    };
                    entries.Add(new OutboxEntry(c.Seq, channel, alert, c.Attempts, AlertRows.ParseSqliteTime(c.LeaseUntil)));
                }
            }

            tx.Commit();
            return entries;
        });

    /// <inheritdoc />
    public Task<bool> CompleteAsync(OutboxEntry entry, string owner, OutboxCompletion completion, CancellationToken cancellationToken) => _worker.Run(() =>
    {
        using var cmd = Connection.CreateCommand();
        cmd.CommandText =
            "UPDATE alert_outbox SET state = $state, attempts = attempts + $inc, next_attempt_at = COALESCE($next, next_attempt_at), " +
            "last_error = COALESCE($error, last_error), lease_owner = NULL, lease_until = NULL, updated_at = $at, " +
            "delivered_at = CASE WHEN $state = 'delivered' THEN $at ELSE delivered_at END " +
            "WHERE channel = $channel AND alert_id = $id AND lease_owner = $owner AND state = 'pending'";
        cmd.Parameters.Add("$state", SqliteType.Text).Value = AlertRows.StateName(completion.State);
        cmd.Parameters.Add("$inc", SqliteType.Integer).Value = completion.CountsAsAttempt ? 1 : 0;
        cmd.Parameters.Add("$next", SqliteType.Text).Value = completion.NextAttemptAt is { } n ? AlertRows.SqliteTime(n) : DBNull.Value;
        cmd.Parameters.Add("$error", SqliteType.Text).Value = (object?)completion.Error ?? DBNull.Value;
        cmd.Parameters.Add("$at", SqliteType.Text).Value = AlertRows.SqliteTime(completion.At);
        cmd.Parameters.Add("$channel", SqliteType.Text).Value = entry.Channel;
        cmd.Parameters.Add("$id", SqliteType.Text).Value = entry.Alert.AlertId.ToString("D");
        cmd.Parameters.Add("$owner", SqliteType.Text).Value = owner;
        return cmd.ExecuteNonQuery() == 1;
    });

    /// <inheritdoc />
    public Task<int> ReleaseLeasesAsync(string channel, string owner, DateTimeOffset now, CancellationToken cancellationToken) => _worker.Run(() =>
    {
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = "UPDATE alert_outbox SET lease_owner = NULL, lease_until = NULL, updated_at = $now WHERE channel = $channel AND lease_owner = $owner AND state = 'pending'";
        cmd.Parameters.Add("$now", SqliteType.Text).Value = AlertRows.SqliteTime(now);
        cmd.Parameters.Add("$channel", SqliteType.Text).Value = channel;
        cmd.Parameters.Add("$owner", SqliteType.Text).Value = owner;
        return cmd.ExecuteNonQuery();
    });

    /// <inheritdoc />
    public Task<OutboxStats> GetOutboxStatsAsync(string channel, CancellationToken cancellationToken) => _worker.Run(() =>
    {
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = "SELECT count(*), min(created_at) FROM alert_outbox WHERE channel = $channel AND state = 'pending'";
        cmd.Parameters.Add("$channel", SqliteType.Text).Value = channel;
        using var reader = cmd.ExecuteReader();
        reader.Read();
        return new OutboxStats(reader.GetInt64(0), reader.IsDBNull(1) ? null : AlertRows.ParseSqliteTime(reader.GetString(1)));
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<RecentAlert>> RecentAsync(int count, CancellationToken cancellationToken) => _worker.Run<IReadOnlyList<RecentAlert>>(() =>
    {
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = """
            SELECT a.alert_id, a.transaction_id, a.created_at, a.severity, a.score, a.reasons,
                   coalesce((SELECT group_concat(channel || ': ' || state, ', ')
                             FROM (SELECT channel, state FROM alert_outbox o WHERE o.alert_id = a.alert_id ORDER BY channel)), '')
            FROM alerts a ORDER BY a.created_at DESC, a.alert_id LIMIT $count
            """;
        cmd.Parameters.Add("$count", SqliteType.Integer).Value = count;
        using var reader = cmd.ExecuteReader();
        var alerts = new List<RecentAlert>();
        while (reader.Read())
        {
            alerts.Add(new RecentAlert(
                Guid.Parse(reader.GetString(0)), reader.GetString(1), AlertRows.ParseSqliteTime(reader.GetString(2)), reader.GetString(3), reader.GetDouble(4),
                AlertRows.ParseReasons(reader.GetString(5)), reader.GetString(6)));
        }

        return alerts;
    });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _worker.Run(() =>
            {
                _connection?.Dispose();
                return true;
            }).ConfigureAwait(false);
        }
        finally
        {
            _worker.Dispose();
        }
    }

    private SqliteConnection Connection => _connection ?? throw new InvalidOperationException("alert store not initialized");

    private void Execute(string sql)
    {
        using var cmd = _connection!.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS alerts(
            alert_id TEXT PRIMARY KEY, transaction_id TEXT NOT NULL, account_id TEXT NOT NULL, event_ts TEXT NOT NULL,
            amount REAL NOT NULL, currency TEXT NOT NULL, score REAL NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
            threshold REAL NOT NULL, reasons TEXT NOT NULL, model_version TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_alerts_account_event ON alerts(account_id, event_ts);
        CREATE INDEX IF NOT EXISTS ix_alerts_created ON alerts(created_at);
        CREATE TABLE IF NOT EXISTS alert_outbox(
            seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts(alert_id), channel TEXT NOT NULL,
            account_id TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'skipped', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, lease_owner TEXT, lease_until TEXT,
            last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, delivered_at TEXT,
            UNIQUE(alert_id, channel));
        CREATE INDEX IF NOT EXISTS ix_alert_outbox_due ON alert_outbox(channel, seq) WHERE state = 'pending';
        CREATE INDEX IF NOT EXISTS ix_alert_outbox_account ON alert_outbox(channel, account_id, seq) WHERE state = 'pending';
        CREATE TABLE IF NOT EXISTS alert_cooldowns(
            account_id TEXT NOT NULL, reason TEXT NOT NULL, last_event_ts TEXT NOT NULL, severity TEXT NOT NULL,
            alert_id TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY(account_id, reason));
        """;
}
