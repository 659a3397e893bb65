using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Graph.Sinks.Postgres.Internal;

/// <summary>
/// Brings a schema up to date at startup. Everything runs in one transaction that first takes a
/// transaction-scoped advisory lock derived from the schema name, so hosts starting together
/// queue up: the first applies the pending migrations, the others find them recorded in
/// <c>schema_migrations</c> and apply nothing. A failure rolls the whole step back.
/// </summary>
internal static class SchemaMigrator
{
    private const string Extension = "timescaledb";

    /// <summary>What a run did.</summary>
    public sealed record Outcome(IReadOnlyList<int> Applied, int Version, bool Timescale);

    public static async Task<Outcome> MigrateAsync(
        NpgsqlDataSource dataSource, string schema, TimescaleSettings timescale, IReadOnlyList<Migration> migrations, ILogger logger, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, tx))
        {
            // Waiting for another host's migration is not a hung statement.
            lockCmd.CommandTimeout = 0;
            lockCmd.Parameters.AddWithValue("key", LockKey(schema));
            await lockCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, tx, $"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            SET LOCAL search_path TO {schema};
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, ct).ConfigureAwait(false);

        var recorded = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, tx))
        await using (var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) recorded.Add(reader.GetInt32(0));
        }

        var applied = new List<int>();
        foreach (var migration in migrations.Where(m => !recorded.Contains(m.Version)).OrderBy(m => m.Version))
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await ExecuteAsync(connection, tx, migration.Sql, ct).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                throw new StoreUnavailableException($"schema migration {migration.Version:D3}_{migration.Name} failed in schema '{schema}': {ex.SqlState} {ex.MessageText}", ex);
            }

            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@version, @name)", connection, tx))
            {
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("name", migration.Name);
                await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            applied.Add(migration.Version);
            logger.LogInformation("Applied schema migration {Version:D3}_{Name} to schema {Schema} in {ElapsedMs} ms",
                migration.Version, migration.Name, schema, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var newer = recorded.Where(v => migrations.All(m => m.Version != v)).OrderBy(v => v).ToList();
        if (newer.Count > 0)
        {
            logger.LogWarning("Schema {Schema} has migrations this build does not know ({Versions}); a newer version of the pipeline ran against it",
                schema, string.Join(", ", newer));
        }

        var extensionSchema = await EnsureTimescaleAsync(connection, tx, logger, ct).ConfigureAwait(false);
        if (extensionSchema is not null)
        {
            await ExecuteAsync(connection, tx, $"SET LOCAL search_path TO {schema}, {QuoteIdentifier(extensionSchema)}", ct).ConfigureAwait(false);
        }

        foreach (var statement in extensionSchema is null ? StorageLayout.Plain() : StorageLayout.Timescale(schema, timescale))
        {
            try
            {
                await ExecuteAsync(connection, tx, statement, ct).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                throw new StoreUnavailableException($"storage layout ({(extensionSchema is null ? "plain PostgreSQL" : "TimescaleDB")}) failed in schema '{schema}': {ex.SqlState} {ex.MessageText}", ex);
            }
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        var version = recorded.Concat(applied).DefaultIfEmpty(0).Max();
        logger.LogInformation("Schema {Schema} at version {Version} ({Applied} migrations applied now); storage layout {Layout}",
            schema, version, applied.Count, extensionSchema is null ? "plain PostgreSQL" : "TimescaleDB hypertables");
        return new Outcome(applied, version, extensionSchema is not null);
    }

    /// <summary>
    /// The schema the timescaledb extension lives in, creating the extension when the server offers
    /// it and preloads its library; null when it is unavailable (plain PostgreSQL layout).
    /// </summary>
    private static async Task<string?> EnsureTimescaleAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ILogger logger, CancellationToken ct)
    {
        await using var probe = new NpgsqlCommand(
            $"""
            SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = '{Extension}'),
                   EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = '{Extension}'),
                   current_setting('shared_preload_libraries')
            """, connection, tx);
        string? installed;
        bool available;
        string preload;
        await using (var reader = await probe.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await reader.ReadAsync(ct).ConfigureAwait(false);
            installed = reader.IsDBNull(0) ? null : reader.GetString(0);
            available = reader.GetBoolean(1);
            preload = reader.GetString(2);
        }

        if (installed is not null) return installed;
        if (!available) return null;
        if (!preload.Contains(Extension, StringComparison.OrdinalIgnoreCase))
        {
            // CREATE EXTENSION would fail: the library must be loaded at server start.
            logger.LogWarning("The {Extension} extension is installed on the server but not in shared_preload_libraries; using the plain PostgreSQL layout", Extension);
            return null;
        }

        await ExecuteAsync(connection, tx, $"CREATE EXTENSION IF NOT EXISTS {Extension} WITH SCHEMA public", ct).ConfigureAwait(false);
        logger.LogInformation("Created the {Extension} extension", Extension);
        return "public";
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>A stable 64-bit key per schema (FNV-1a), so stores in different schemas do not wait for each other.</summary>
    internal static long LockKey(string schema)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes("pipeline.schema:" + schema))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
