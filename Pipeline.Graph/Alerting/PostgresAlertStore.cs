using Npgsql;
using NpgsqlTypes;
using Pipeline.Graph.Alerting.Internal;
using Pipeline.Graph.Sinks;
using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// <see cref="IAlertStore"/> on PostgreSQL (Npgsql, fully asynchronous). The tables come from the
/// migration <c>Sinks/Postgres/Migrations/002_alerting.sql</c>; <see cref="InitializeAsync"/> only
/// checks that they exist. Claims use <c>FOR UPDATE SKIP LOCKED</c>, so any number of hosts can run
/// delivery streams on one database without ever holding the same row. Leases are compared with the
/// callers' clocks: keep hosts NTP-synchronised and the lease far above their skew.
/// </summary>
public sealed class PostgresAlertStore : IAlertStore, IOutboxSignalSource
{
    private const string AlertColumns = "a.alert_id, a.transaction_id, a.account_id, a.event_ts, a.amount, a.currency, a.score, a.severity, a.threshold, a.reasons::text, a.model_version, a.created_at";
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>A store over the database of <paramref name="connectionString"/>.</summary>
    public PostgresAlertStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Description = $"postgres:{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    OutboxSignal IOutboxSignalSource.OutboxWritten { get; } = new();

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = _dataSource.CreateCommand(
                "SELECT to_regclass('alerts') IS NOT NULL AND to_regclass('alert_outbox') IS NOT NULL AND to_regclass('alert_cooldowns') IS NOT NULL");
            var present = (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (!present)
            {
                throw new StoreUnavailableException($"{Description}: the alerting tables are missing; apply migration 002_alerting.sql (the host's migration runner does at startup)");
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new StoreUnavailableException($"{Description}: cannot reach PostgreSQL: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<Guid>> FindExistingAsync(IReadOnlyCollection<Guid> alertIds, CancellationToken cancellationToken)
    {
        var found = new HashSet<Guid>();
        if (alertIds.Count == 0) return found;
        await using var cmd = _dataSource.CreateCommand("SELECT alert_id FROM alerts WHERE alert_id = ANY(@ids)");
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = alertIds.ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) found.Add(reader.GetGuid(0));
        return found;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<CooldownKey, CooldownEntry>> LoadCooldownsAsync(IReadOnlyCollection<CooldownKey> keys, CancellationToken cancellationToken)
    {
        var result = new Dictionary<CooldownKey, CooldownEntry>();
        if (keys.Count == 0) return result;
        await using var cmd = _dataSource.CreateCommand(
            "SELECT c.account_id, c.reason, c.last_event_ts, c.severity, c.alert_id FROM alert_cooldowns c " +
            "JOIN unnest(@accounts, @reasons) AS k(account_id, reason) ON c.account_id = k.account_id AND c.reason = k.reason");
        cmd.Parameters.Add(new NpgsqlParameter("accounts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.Select(k => k.AccountId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.Select(k => k.Reason).ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[new CooldownKey(reader.GetString(0), reader.GetString(1))] =
                new CooldownEntry(reader.GetFieldValue<DateTimeOffset>(2), SeverityNames.Parse(reader.GetString(3)), reader.GetGuid(4));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<int> WriteAsync(
        IReadOnlyList<Alert> alerts,
        IReadOnlyList<string> channels,
        IReadOnlyList<KeyValuePair<CooldownKey, CooldownEntry>> cooldowns,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (alerts.Count == 0 && cooldowns.Count == 0) return 0;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = 0;
        if (alerts.Count > 0)
        {
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO alerts(alert_id, transaction_id, account_id, event_ts, amount, currency, score, severity, threshold, reasons, model_version, created_at) " +
                "SELECT * FROM unnest(@id, @tx, @account, @event, @amount, @currency, @score, @severity, @threshold, @reasons, @model, @created) " +
                "ON CONFLICT (alert_id) DO NOTHING", connection, tx))
            {
                var p = insert.Parameters;
                p.Add(Array("id", NpgsqlDbType.Uuid, alerts.Select(a => a.AlertId).ToArray()));
                p.Add(Array("tx", NpgsqlDbType.Text, alerts.Select(a => a.TransactionId).ToArray()));
                p.Add(Array("account", NpgsqlDbType.Text, alerts.Select(a => a.AccountId).ToArray()));
                p.Add(Array("event", NpgsqlDbType.TimestampTz, alerts.Select(a => a.EventTime.UtcDateTime).ToArray()));
                p.Add(Array("amount", NpgsqlDbType.Double, alerts.Select(a => a.Amount).ToArray()));
                p.Add(Array("currency", NpgsqlDbType.Text, alerts.Select(a => a.Currency).ToArray()));
                p.Add(Array("score", NpgsqlDbType.Double, alerts.Select(a => a.Score).ToArray()));
                p.Add(Array("severity", NpgsqlDbType.Text, alerts.Select(a => SeverityBuckets.WireName(a.Severity)).ToArray()));
                p.Add(Array("threshold", NpgsqlDbType.Double, alerts.Select(a => a.Threshold).ToArray()));
                p.Add(Array("reasons", NpgsqlDbType.Jsonb, alerts.Select(a => AlertRows.ReasonsJson(a.Reasons)).ToArray()));
                p.Add(Array("model", NpgsqlDbType.Text, alerts.Select(a => a.ModelVersion).ToArray()));
                p.Add(Array("created", NpgsqlDbType.TimestampTz, alerts.Select(a => a.CreatedAt.UtcDateTime).ToArray()));
                inserted = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (channels.Count > 0)
            {
                await using var outbox = new NpgsqlCommand(
                    "INSERT INTO alert_outbox(alert_id, channel, account_id, state, attempts, next_attempt_at, created_at, updated_at) " +
                    "SELECT a.id, c.channel, a.account, 'pending', 0, @now, @now, @now " +
                    "FROM unnest(@id, @account) WITH ORDINALITY AS a(id, account, ord) " +
                    "CROSS JOIN unnest(@channels) WITH ORDINALITY AS c(channel, cord) " +
                    "ORDER BY a.ord, c.cord " +
                    "ON CONFLICT (alert_id, channel) DO NOTHING", connection, tx);
                outbox.Parameters.Add(Array("id", NpgsqlDbType.Uuid, alerts.Select(a => a.AlertId).ToArray()));
                outbox.Parameters.Add(Array("account", NpgsqlDbType.Text, alerts.Select(a => a.AccountId).ToArray()));
                outbox.Parameters.Add(Array("channels", NpgsqlDbType.Text, channels.ToArray()));
                outbox.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
                await outbox.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (cooldowns.Count > 0)
        {
            await using var upsert = new NpgsqlCommand(
                "INSERT INTO alert_cooldowns(account_id, reason, last_event_ts, severity, alert_id, updated_at) " +
                "SELECT k.account_id, k.reason, k.last_event_ts, k.severity, k.alert_id, @now " +
                "FROM unnest(@account, @reason, @event, @severity, @id) AS k(account_id, reason, last_event_ts, severity, alert_id) " +
                "ON CONFLICT (account_id, reason) DO UPDATE SET last_event_ts = EXCLUDED.last_event_ts, severity = EXCLUDED.severity, " +
                "alert_id = EXCLUDED.alert_id, updated_at = EXCLUDED.updated_at " +
                "WHERE alert_cooldowns.last_event_ts <= EXCLUDED.last_event_ts", connection, tx);
            var p = upsert.Parameters;
            p.Add(Array("account", NpgsqlDbType.Text, cooldowns.Select(c => c.Key.AccountId).ToArray()));
            p.Add(Array("reason", NpgsqlDbType.Text, cooldowns.Select(c => c.Key.Reason).ToArray()));
            p.Add(Array("event", NpgsqlDbType.TimestampTz, cooldowns.Select(c => c.Value.LastEventTime.UtcDateTime).ToArray()));
            p.Add(Array("severity", NpgsqlDbType.Text, cooldowns.Select(c => SeverityBuckets.WireName(c.Value.Severity)).ToArray()));
            p.Add(Array("id", NpgsqlDbType.Uuid, cooldowns.Select(c => c.Value.AlertId).ToArray()));
            p.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (inserted > 0 && channels.Count > 0) ((IOutboxSignalSource)this).OutboxWritten.Raise();
        return inserted;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxEntry>> ClaimAsync(string channel, string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        // One statement, so the selection, its row locks and the lease update are one transaction.
        // SKIP LOCKED: a row another host is claiming right now is left to it, never waited for.
        await using var cmd = _dataSource.CreateCommand(
            "WITH due AS (" +
            "  SELECT o.alert_id FROM alert_outbox o" +
            "  WHERE o.channel = @channel AND o.state = 'pending' AND o.next_attempt_at <= @now" +
            "    AND (o.lease_until IS NULL OR o.lease_until <= @now)" +
            "    AND NOT EXISTS (SELECT 1 FROM alert_outbox p WHERE p.channel = o.channel AND p.account_id = o.account_id AND p.state = 'pending' AND p.seq < o.seq)" +
            "  ORDER BY o.seq LIMIT @max FOR UPDATE OF o SKIP LOCKED), " +
            "claimed AS (" +
            "  UPDATE alert_outbox u SET lease_owner = @owner, lease_until = @until, updated_at = @now" +
            "  FROM due WHERE u.channel = @channel AND u.alert_id = due.alert_id" +
            "  RETURNING u.seq, u.attempts, u.lease_until, u.alert_id) " +
            $"SELECT c.seq, c.attempts, c.lease_until, {AlertColumns} FROM claimed c JOIN alerts a ON a.alert_id = c.alert_id ORDER BY c.seq");
        cmd.Parameters.Add(new NpgsqlParameter("channel", NpgsqlDbType.Text) { Value = channel });
        cmd.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = owner });
        cmd.Parameters.Add(new NpgsqlParameter("max", NpgsqlDbType.Integer) { Value = max });
        cmd.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("until", NpgsqlDbType.TimestampTz) { Value = (now + lease).UtcDateTime });
        var entries = new List<OutboxEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var alert = new Alert
            {
                AlertId = reader.GetGuid(3),
                TransactionId = reader.GetString(4),
                AccountId = reader.GetString(5),
                EventTime = reader.GetFieldValue<DateTimeOffset>(6),
                Amount = reader.GetDouble(7),
                Currency = reader.GetString(8),
                Score = reader.GetDouble(9),
                Severity = SeverityNames.Parse(reader.GetString(10)),
                Threshold = reader.GetDouble(11),
                Reasons = AlertRows.ParseReasons(reader.GetString(12)),
                ModelVersion = reader.GetString(13),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(14),
            };
            entries.Add(new OutboxEntry(reader.GetInt64(0), channel, alert, reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return entries;
    }

    /// <inheritdoc />
    public async Task<bool> CompleteAsync(OutboxEntry entry, string owner, OutboxCompletion completion, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "UPDATE alert_outbox SET state = @state, attempts = attempts + @inc, next_attempt_at = COALESCE(@next, next_attempt_at), " +
            "last_error = COALESCE(@error, last_error), lease_owner = NULL, lease_until = NULL, updated_at = @at, " +
            "delivered_at = CASE WHEN @state = 'delivered' THEN @at ELSE delivered_at END " +
            "WHERE channel = @channel AND alert_id = @id AND lease_owner = @owner AND state = 'pending'");
        cmd.Parameters.Add(new NpgsqlParameter("state", NpgsqlDbType.Text) { Value = AlertRows.StateName(completion.State) });
        cmd.Parameters.Add(new NpgsqlParameter("inc", NpgsqlDbType.Integer) { Value = completion.CountsAsAttempt ? 1 : 0 });
        cmd.Parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.TimestampTz) { Value = completion.NextAttemptAt is { } n ? n.UtcDateTime : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)completion.Error ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = completion.At.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("channel", NpgsqlDbType.Text) { Value = entry.Channel });
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = entry.Alert.AlertId });
        cmd.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = owner });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<int> ReleaseLeasesAsync(string channel, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            "UPDATE alert_outbox SET lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE channel = @channel AND lease_owner = @owner AND state = 'pending'");
        cmd.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("channel", NpgsqlDbType.Text) { Value = channel });
        cmd.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = owner });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<OutboxStats> GetOutboxStatsAsync(string channel, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand("SELECT count(*), min(created_at) FROM alert_outbox WHERE channel = @channel AND state = 'pending'");
        cmd.Parameters.Add(new NpgsqlParameter("channel", NpgsqlDbType.Text) { Value = channel });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new OutboxStats(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RecentAlert>> RecentAsync(int count, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand("""
            SELECT a.alert_id, a.transaction_id, a.created_at, a.severity, a.score, a.reasons::text,
                   coalesce((SELECT string_agg(o.channel || ': ' || o.state, ', ' ORDER BY o.channel)
                             FROM alert_outbox o WHERE o.alert_id = a.alert_id), '')
            FROM alerts a ORDER BY a.created_at DESC, a.alert_id LIMIT @count
            """);
        cmd.Parameters.Add(new NpgsqlParameter("count", NpgsqlDbType.Integer) { Value = count });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var alerts = new List<RecentAlert>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            alerts.Add(new RecentAlert(
                reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3), reader.GetDouble(4),
                AlertRows.ParseReasons(reader.GetString(5)), reader.GetString(6)));
        }

        return alerts;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType elementType, T[] values) =>
        new(name, NpgsqlDbType.Array | elementType) { Value = values };
}
