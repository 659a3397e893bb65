using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Graph.Sinks.Postgres.Internal;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Replay;

/// <summary>
/// Where a replay writes: a named result set beside the live tables, never the live tables
/// themselves. It holds the same tables the live store writes (<c>scored_transactions</c>,
/// <c>quarantine</c>, …), so every query an operator runs against the live data runs against a
/// replay by pointing it elsewhere:
/// <list type="bullet">
/// <item>SQLite (<c>pipeline.store.kind = sqlite</c>): the file <c>replay_&lt;name&gt;.db</c> in the
/// folder of the live database file.</item>
/// <item>PostgreSQL (<c>postgres</c>): the schema <c>replay_&lt;name&gt;</c> in the live database
/// (<c>SET search_path TO replay_&lt;name&gt;</c>).</item>
/// </list>
/// A store of kind <c>none</c> keeps no rows, so there is nowhere to replay into.
/// </summary>
public sealed partial class ReplayResultSet
{
    /// <summary>The prefix of every result set's file name or schema.</summary>
    public const string Prefix = "replay_";

    private readonly StoreSettings _live;
    private readonly string? _sqlitePath;

    private ReplayResultSet(string name, StoreSettings live, string? sqlitePath)
    {
        Name = name;
        _live = live;
        _sqlitePath = sqlitePath;
        Description = sqlitePath is not null
            ? $"sqlite:{sqlitePath}"
            : $"postgres schema {Prefix}{name} (database of pipeline.store.postgres.connection-string)";
    }

    /// <summary>The name given with <c>--into</c>.</summary>
    public string Name { get; }

    /// <summary>Where the rows go, for people: <c>sqlite:/path/replay_name.db</c> or <c>postgres schema replay_name</c>.</summary>
    public string Description { get; }

    /// <summary>The PostgreSQL schema, or null for SQLite.</summary>
    public string? Schema => _sqlitePath is null ? Prefix + Name : null;

    /// <summary>The SQLite file, or null for PostgreSQL.</summary>
    public string? SqlitePath => _sqlitePath;

    /// <summary>True when <paramref name="name"/> is 1-40 characters of a-z, 0-9 and _ (a valid file name and schema suffix).</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>The result set <paramref name="name"/> beside the live store <paramref name="live"/>.</summary>
    /// <exception cref="ReplayException">The live store keeps no rows, or its schema is this result set's.</exception>
    public static ReplayResultSet Resolve(StoreSettings live, string name, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(live);
        if (!IsValidName(name)) throw new ArgumentException($"'{name}' is not a result set name (1-40 of a-z, 0-9, _)", nameof(name));
        switch (live.Kind)
        {
            case "none":
                throw new ReplayException("pipeline.store.kind is none: a replay needs a store to write its result set to (sqlite or postgres)");
            case "postgres":
                if (live.Postgres.Schema == Prefix + name)
                {
                    throw new ReplayException($"the live store already uses schema {Prefix}{name}; choose another --into name");
                }

                return new ReplayResultSet(name, live, null);
            default:
                var livePath = Preflight.SqlitePath(live, environment);
                return new ReplayResultSet(name, live, Path.Combine(Path.GetDirectoryName(livePath)!, $"{Prefix}{name}.db"));
        }
    }

    /// <summary>Rows already in the result set's <c>scored_transactions</c> and <c>quarantine</c> (0 when it does not exist).</summary>
    /// <exception cref="StoreUnavailableException">The database cannot be read.</exception>
    public async Task<long> CountRowsAsync(CancellationToken ct)
    {
        try
        {
            if (_sqlitePath is not null)
            {
                if (!File.Exists(_sqlitePath)) return 0;
                await using var connection = new SqliteConnection($"Data Source={_sqlitePath};Mode=ReadOnly;Pooling=False");
                await connection.OpenAsync(ct).ConfigureAwait(false);
                return await CountAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('scored_transactions', 'quarantine')", ct).ConfigureAwait(false);
            }

            await using var source = DataSource();
            await using var pg = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
            return await CountAsync(pg, $"SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema = '{Schema}' AND table_name IN ('scored_transactions', 'quarantine')", ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SqliteException or NpgsqlException or IOException)
        {
            throw new StoreUnavailableException($"cannot read the result set {Description}: {ex.Message}", ex);
        }
    }

    /// <summary>Deletes the result set (the SQLite file, or the schema with everything in it).</summary>
    /// <exception cref="StoreUnavailableException">It cannot be deleted.</exception>
    public async Task DeleteAsync(CancellationToken ct)
    {
        try
        {
            if (_sqlitePath is not null)
            {
                foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(_sqlitePath + suffix);
                return;
            }

            await using var source = DataSource();
            await using var command = source.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"cannot delete the result set {Description}: {ex.Message}", ex);
        }
    }

    /// <summary>Opens the result set's store (creating its tables), the same store class the live graph writes with.</summary>
    /// <exception cref="StoreUnavailableException">It cannot be opened.</exception>
    public async Task<ITransactionStore> OpenAsync(CancellationToken ct)
    {
        ITransactionStore store = _sqlitePath is not null
            ? new SqliteTransactionStore(_sqlitePath)
            // Consumer offsets of a replay mean nothing to the live group: never keep them.
            : new PostgresTransactionStore(_live.Postgres.WithStoreOffsets(false) with { Schema = Schema! }, new PostgresStoreMetrics(Prometheus.Metrics.NewCustomRegistry()));
        try
        {
            await store.InitializeAsync(ct).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private NpgsqlDataSource DataSource() =>
        NpgsqlDataSource.Create(PostgresConnectionString.Parse(_live.Postgres.ConnectionString, "pipeline.store.postgres.connection-string").ConnectionString);

    private static async Task<long> CountAsync(System.Data.Common.DbConnection connection, string tablesQuery, CancellationToken ct)
    {
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = tablesQuery;
            await using var reader = await list.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) tables.Add(reader.GetString(0));
        }

        long rows = 0;
        foreach (var table in tables)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {table}";
            rows += Convert.ToInt64(await count.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        return rows;
    }

    [GeneratedRegex("^[a-z0-9_]{1,40}$")]
    private static partial Regex NamePattern();
}
