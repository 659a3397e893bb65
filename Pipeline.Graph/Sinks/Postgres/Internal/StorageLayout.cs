using System.Globalization;

namespace Pipeline.Graph.Sinks.Postgres.Internal;

/// <summary>
/// The statements that shape storage after the migrations, on every startup (idempotent, so a
/// changed setting takes effect on the next start): with TimescaleDB, hypertables, compression and
/// retention policies and the <c>account_stats_1m</c> continuous aggregate; on plain PostgreSQL,
/// <c>account_stats_1m</c> as an ordinary view (the indexes come from the migrations). Names are
/// unqualified: the migrator runs them with <c>search_path</c> set to the store's schema.
/// </summary>
internal static class StorageLayout
{
    public const string StatsView = "account_stats_1m";

    /// <summary>Time-series tables and their time, segment and order columns.</summary>
    private static readonly (string Table, string Time, string SegmentBy)[] Hypertables =
    [
        ("scored_transactions", "ts", "account_id"),
        ("drift_events", "ts", "detector"),
        ("quarantine", "received_at", "topic"),
    ];

    private const string StatsSelect = """
        SELECT account_id,
               {0} AS bucket,
               count(*) AS tx_count,
               sum(amount) AS amount_sum,
               avg(amount) AS amount_avg,
               min(amount) AS amount_min,
               max(amount) AS amount_max,
               avg(score) AS score_avg,
               max(score) AS score_max,
               sum(CASE WHEN is_anomaly THEN 1 ELSE 0 END) AS anomalies
        FROM scored_transactions
        GROUP BY account_id, {0}
        """;

    public static IReadOnlyList<string> Plain() =>
    [
        $"CREATE OR REPLACE VIEW {StatsView} AS\n{string.Format(CultureInfo.InvariantCulture, StatsSelect, "date_trunc('minute', ts)")}",
    ];

    public static IReadOnlyList<string> Timescale(string schema, TimescaleSettings settings)
    {
        var statements = new List<string>
        {
            // A hypertable's unique keys must contain its time column; quarantine's natural key does
            // not, so it becomes a plain index (the writer keeps replays out with NOT EXISTS).
            $"""
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'quarantine_source_key' AND conrelid = '{schema}.quarantine'::regclass) THEN
                ALTER TABLE quarantine DROP CONSTRAINT quarantine_source_key;
              END IF;
            END $$
            """,
            "CREATE INDEX IF NOT EXISTS ix_quarantine_source ON quarantine (topic, partition, \"offset\")",
        };

        var chunk = Interval(settings.ChunkInterval);
        foreach (var (table, time, segmentBy) in Hypertables)
        {
            statements.Add($"SELECT create_hypertable('{schema}.{table}', '{time}', chunk_time_interval => {chunk}, if_not_exists => TRUE, migrate_data => TRUE, create_default_indexes => FALSE)");
            statements.Add($"SELECT set_chunk_time_interval('{schema}.{table}', {chunk})");
            if (settings.CompressAfter > TimeSpan.Zero)
            {
                statements.Add($"""
                    DO $$ BEGIN
                      IF NOT EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_schema = '{schema}' AND hypertable_name = '{table}' AND compression_enabled) THEN
                        ALTER TABLE {table} SET (timescaledb.compress, timescaledb.compress_segmentby = '{segmentBy}', timescaledb.compress_orderby = '{time} DESC');
                      END IF;
                    END $$
                    """);
            }

            // Policies are replaced rather than kept, so a changed interval applies on the next start.
            statements.Add($"SELECT remove_compression_policy('{schema}.{table}', if_exists => TRUE)");
            if (settings.CompressAfter > TimeSpan.Zero)
            {
                statements.Add($"SELECT add_compression_policy('{schema}.{table}', compress_after => {Interval(settings.CompressAfter)})");
            }

            statements.Add($"SELECT remove_retention_policy('{schema}.{table}', if_exists => TRUE)");
            if (settings.RetainFor > TimeSpan.Zero)
            {
                statements.Add($"SELECT add_retention_policy('{schema}.{table}', drop_after => {Interval(settings.RetainFor)})");
            }
        }

        // A plain view of the same name (the database ran without the extension before) gives way
        // to the continuous aggregate. WITH NO DATA: a materializing create cannot run in a
        // transaction; the refresh policy fills it.
        statements.Add($"""
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_views WHERE schemaname = '{schema}' AND viewname = '{StatsView}')
                 AND NOT EXISTS (SELECT 1 FROM timescaledb_information.continuous_aggregates WHERE view_schema = '{schema}' AND view_name = '{StatsView}') THEN
                DROP VIEW {StatsView};
              END IF;
            END $$
            """);
        statements.Add($"CREATE MATERIALIZED VIEW IF NOT EXISTS {StatsView} WITH (timescaledb.continuous) AS\n" +
                       $"{string.Format(CultureInfo.InvariantCulture, StatsSelect, "time_bucket(INTERVAL '1 minute', ts)")}\nWITH NO DATA");
        statements.Add($"SELECT add_continuous_aggregate_policy('{schema}.{StatsView}', start_offset => INTERVAL '2 hours', end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute', if_not_exists => TRUE)");
        return statements;
    }

    /// <summary>A PostgreSQL interval literal in the largest whole unit (<c>INTERVAL '7 days'</c>).</summary>
    public static string Interval(TimeSpan value)
    {
        var (amount, unit) = value switch
        {
            _ when value.Ticks % TimeSpan.TicksPerDay == 0 => (value.Ticks / TimeSpan.TicksPerDay, "day"),
            _ when value.Ticks % TimeSpan.TicksPerHour == 0 => (value.Ticks / TimeSpan.TicksPerHour, "hour"),
            _ when value.Ticks % TimeSpan.TicksPerMinute == 0 => (value.Ticks / TimeSpan.TicksPerMinute, "minute"),
            _ when value.Ticks % TimeSpan.TicksPerSecond == 0 => (value.Ticks / TimeSpan.TicksPerSecond, "second"),
            _ => (value.Ticks / TimeSpan.TicksPerMillisecond, "millisecond"),
        };
        return string.Create(CultureInfo.InvariantCulture, $"INTERVAL '{amount} {unit}{(amount == 1 ? string.Empty : "s")}'");
    }
}
