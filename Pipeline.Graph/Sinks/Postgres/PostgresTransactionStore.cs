using System.Data;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Sinks.Postgres.Internal;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Sinks.Postgres;

/// <summary>
/// The PostgreSQL/TimescaleDB store (<c>pipeline.store.kind = postgres</c>).
/// <para>
/// <b>Schema</b>: <see cref="InitializeAsync"/> applies the embedded <c>Migrations/NNN_*.sql</c> files not yet
/// recorded in <c>schema_migrations</c>, in one transaction under an advisory lock (hosts starting at once
/// apply each migration once), then shapes storage: hypertables with compression and retention policies and
/// the <c>account_stats_1m</c> continuous aggregate when the timescaledb extension is available, an ordinary
/// view and the migrations' indexes on plain PostgreSQL.
/// </para>
/// <para>
/// <b>Writes</b>: one transaction per batch, fully asynchronous. Scored rows are encoded straight into PostgreSQL's
/// binary COPY format and COPYed into <c>scored_transactions</c>; when that meets a row already stored (unique
/// violation on <c>(transaction_id, ts)</c>: a replay after a crash), the attempt rolls back and the batch is
/// written again through a session staging table with <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c>, as are the
/// following batches until one finds nothing already stored — so a replayed batch writes nothing new and the
/// common case costs one COPY. Quarantine rows always take the staging path (on <c>(topic, partition, offset)</c>).
/// With <c>store-offsets = on</c> the
/// batch's next offset per partition is upserted into <c>consumer_offsets</c> in the same transaction
/// (<see cref="LoadOffsetsAsync"/> reads them back for partition assignment). The writer's session runs with
/// <c>synchronous_commit = on</c> whatever the server default: a returned write survives a server crash.
/// </para>
/// <para>
/// <b>Failures</b> surface as exceptions; the store stage retries the same batch with exponential backoff
/// and jitter while the stream backpressures, so no batch is dropped. Restart-with-backoff: after any
/// failure the writer's connection is discarded; after a connection failure (server unreachable, connection
/// lost) the whole data source and its pool are discarded too. Both are rebuilt lazily by the next attempt,
/// which the stage delays by its backoff — so a down server is probed once per backoff step, never in a
/// tight loop, and the first attempt after it returns uses fresh connections.
/// </para>
/// Up to <c>writers</c> batches are written at once, each on its own connection (<see cref="ConcurrentWrites"/>);
/// <see cref="IsHealthyAsync"/> and <see cref="LoadOffsetsAsync"/> use pooled connections beside the writers. Reads <c>pipeline.store.postgres</c> through <see cref="PostgresStoreSettings"/>.
/// </summary>
public sealed class PostgresTransactionStore : ITransactionStore, IAssignedOffsetsSource
{
    private const string ScoredTable = "scored_transactions";
    private const string QuarantineTable = "quarantine";
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

    private readonly PostgresStoreSettings _settings;
    private readonly PostgresStoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _openGate = new(1, 1);
    // The idle writers: a write takes one (waiting while all are busy) and gives it back.
    private readonly Channel<WriterSlot> _idle;
    private NpgsqlDataSource? _dataSource;
    private volatile bool _rebuildDataSource;
    private volatile bool _replaying;
    private bool _initialized;
    private bool _disposed;

    /// <summary>A store over <paramref name="settings"/>; nothing connects before <see cref="InitializeAsync"/>.</summary>
    /// <param name="settings"><c>pipeline.store.postgres</c>.</param>
    /// <param name="metrics">Where to count; null creates them in the default registry.</param>
    /// <param name="logger">Migrations and connection rebuilds are logged here; null logs nothing.</param>
    public PostgresTransactionStore(PostgresStoreSettings settings, PostgresStoreMetrics? metrics = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Writers < 1 || settings.Writers > 16 || (settings.Writers > 1 && settings.StoreOffsets))
        {
            throw new ArgumentException($"writers = {settings.Writers} is not allowed (1-16, and 1 when store-offsets is on)", nameof(settings));
        }

        _settings = settings;
        _idle = Channel.CreateBounded<WriterSlot>(settings.Writers);
        for (var i = 0; i < settings.Writers; i++) _idle.Writer.TryWrite(new WriterSlot());
        _metrics = metrics ?? new PostgresStoreMetrics();
        _logger = logger ?? NullLogger.Instance;
        if (settings.ConnectionString.Length == 0)
        {
            _connectionString = string.Empty;
            Description = $"postgres:(no connection string) schema {settings.Schema}";
            return;
        }

        var builder = PostgresConnectionString.Parse(settings.ConnectionString, "pipeline.store.postgres.connection-string");
        builder.CommandTimeout = (int)Math.Ceiling(settings.CommandTimeout.TotalSeconds);
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "transaction-pipeline";
        _connectionString = builder.ConnectionString;
        Description = $"postgres:{PostgresConnectionString.Endpoint(builder)} schema {settings.Schema}";
    }

    /// <inheritdoc />
    /// <remarks><c>postgres:host:port/database schema name</c>; never the password.</remarks>
    public string Description { get; }

    /// <inheritdoc />
    /// <remarks>The <c>writers</c> setting.</remarks>
    public int ConcurrentWrites => _settings.Writers;

    /// <summary>The store's settings (their <c>ToString</c> masks the password).</summary>
    public PostgresStoreSettings Settings => _settings;

    /// <summary>True after <see cref="InitializeAsync"/> found the timescaledb extension and built hypertables.</summary>
    public bool UsesTimescale { get; private set; }

    /// <summary>The highest schema migration version recorded after <see cref="InitializeAsync"/>.</summary>
    public int SchemaVersion { get; private set; }

    /// <inheritdoc />
    /// <exception cref="StoreUnavailableException">No connection string, the server is unreachable or refuses us,
    /// or a migration fails; one line naming the endpoint (never the password) and the reason.</exception>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_connectionString.Length == 0)
        {
            throw new StoreUnavailableException("pipeline.store.postgres.connection-string is empty: set it or the TIMESCALE_URL environment variable");
        }

        _dataSource ??= BuildDataSource();
        try
        {
            var outcome = await SchemaMigrator.MigrateAsync(_dataSource, _settings.Schema, _settings.Timescale, Migration.Embedded, _logger, cancellationToken).ConfigureAwait(false);
            UsesTimescale = outcome.Timescale;
            SchemaVersion = outcome.Version;
            _initialized = true;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            throw new StoreUnavailableException($"cannot initialise the PostgreSQL store {Description}: {Reason(ex)}", ex);
        }
    }

    /// <inheritdoc />
    public async Task WriteBatchAsync(
        IReadOnlyList<ScoredTransaction> rows, IReadOnlyList<QuarantineEntry> quarantine, CancellationToken cancellationToken, IReadOnlyList<ConsumedOffset>? offsets = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(quarantine);
        var writeOffsets = _settings.StoreOffsets && offsets is { Count: > 0 };
        if (rows.Count == 0 && quarantine.Count == 0 && !writeOffsets) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_initialized) throw new InvalidOperationException("store not initialized: call InitializeAsync first");

        var slot = await _idle.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var writer = slot.Writer ??= await OpenWriterAsync(cancellationToken).ConfigureAwait(false);
            (int Scored, int Quarantined) written;
            if (rows.Count > 0 && !_replaying)
            {
                try
                {
                    written = await WriteOnceAsync(writer, rows, quarantine, writeOffsets ? offsets : null, direct: true, cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    // A row is already stored (a replay after a crash) or the batch holds one twice: the attempt
                    // rolled back; write the batch again, skipping what exists. Replays come in runs, so the next
                    // batches take that path too until one of them finds nothing already stored.
                    _replaying = true;
                    _metrics.RecordReplayFallback();
                    _logger.LogInformation("PostgreSQL store {Store}: a batch of {Rows} rows holds rows already stored ({Constraint}); writing it and the following batches idempotently until the replay is over",
                        Description, rows.Count, ex.ConstraintName);
                    written = await WriteOnceAsync(writer, rows, quarantine, writeOffsets ? offsets : null, direct: false, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                written = await WriteOnceAsync(writer, rows, quarantine, writeOffsets ? offsets : null, direct: false, cancellationToken).ConfigureAwait(false);
            }

            if (_replaying && rows.Count > 0 && written.Scored == rows.Count) _replaying = false;
            _metrics.RecordRows(ScoredTable, rows.Count, written.Scored);
            _metrics.RecordRows(QuarantineTable, quarantine.Count, written.Quarantined);
            _metrics.RecordBatch(rows.Count + quarantine.Count, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex)
        {
            var connectionLost = IsConnectionFailure(ex, slot.Writer);
            _metrics.RecordFailure(connectionLost);
            // After a failed COPY or statement the session's state is not worth trusting: start over.
            await DiscardWriterAsync(slot).ConfigureAwait(false);
            if (connectionLost) _rebuildDataSource = true;
            throw;
        }
        finally
        {
            _idle.Writer.TryWrite(slot);
        }
    }

    /// <summary>True with <c>store-offsets = on</c>: the consumer then starts assigned partitions where the rows end.</summary>
    public bool KeepsOffsets => _settings.StoreOffsets;

    /// <summary>
    /// The next offset to read per partition of <paramref name="groupId"/>, as the rows in this database
    /// stand (written with <c>store-offsets = on</c>). Partitions without a row are absent: start those at
    /// Kafka's committed offset. Call it when partitions are assigned and seek each to its value.
    /// </summary>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="partitions">Only these partitions; null for all of the group's.</param>
    /// <param name="cancellationToken">Abandons the query.</param>
    /// <exception cref="NpgsqlException">The database cannot answer; retry, or fail the assignment.</exception>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> LoadOffsetsAsync(
        string groupId, IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        var dataSource = _dataSource ?? throw new InvalidOperationException("store not initialized");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(
            $"SELECT topic, partition, next_offset FROM {_settings.Schema}.consumer_offsets WHERE group_id = @group", connection);
        cmd.Parameters.AddWithValue("group", groupId);
        var wanted = partitions is null ? null : new HashSet<TopicPartition>(partitions);
        var result = new Dictionary<TopicPartition, long>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var tp = new TopicPartition(reader.GetString(0), new Partition(reader.GetInt32(1)));
            if (wanted is null || wanted.Contains(tp)) result[tp] = reader.GetInt64(2);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        var dataSource = _dataSource;
        if (dataSource is null) return false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HealthTimeout);
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT 1", connection);
            return (int)(await cmd.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false))! == 1;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Let writes in progress finish (bounded by the command timeout) rather than close connections underneath them.
        using var timeout = new CancellationTokenSource(_settings.CommandTimeout);
        var taken = new List<WriterSlot>(_settings.Writers);
        try
        {
            while (taken.Count < _settings.Writers) taken.Add(await _idle.Reader.ReadAsync(timeout.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // A write outlived the command timeout: close what is idle and let the data source end the rest.
        }

        try
        {
            _disposed = true;
            foreach (var slot in taken) await DiscardWriterAsync(slot).ConfigureAwait(false);
            if (_dataSource is not null) await _dataSource.DisposeAsync().ConfigureAwait(false);
            _dataSource = null;
        }
        finally
        {
            foreach (var slot in taken) _idle.Writer.TryWrite(slot);
        }
    }

    /// <summary>
    /// One attempt in one transaction: scored rows by direct COPY (<paramref name="direct"/>) or through the
    /// staging table, quarantine rows, offsets, commit. Returns how many scored and quarantine rows were new.
    /// </summary>
    private static async Task<(int Scored, int Quarantined)> WriteOnceAsync(
        BatchWriter writer, IReadOnlyList<ScoredTransaction> rows, IReadOnlyList<QuarantineEntry> quarantine, IReadOnlyList<ConsumedOffset>? offsets, bool direct, CancellationToken ct)
    {
        await using var tx = await writer.Connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var scored = 0;
        if (rows.Count > 0 && direct)
        {
            await writer.CopyScoredAsync(rows, ct).ConfigureAwait(false);
            scored = rows.Count;
        }
        else if (rows.Count > 0)
        {
            scored = await writer.StageScoredAsync(rows, tx, ct).ConfigureAwait(false);
        }

        var quarantined = quarantine.Count > 0 ? await writer.WriteQuarantineAsync(quarantine, tx, ct).ConfigureAwait(false) : 0;
        if (offsets is not null) await writer.WriteOffsetsAsync(offsets, tx, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return (scored, quarantined);
    }

    private NpgsqlDataSource BuildDataSource() => new NpgsqlDataSourceBuilder(_connectionString).Build();

    private async Task<BatchWriter> OpenWriterAsync(CancellationToken ct)
    {
        NpgsqlDataSource dataSource;
        // Writers open connections concurrently; one of them rebuilds a lost data source, the others then use the new one.
        await _openGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_rebuildDataSource || _dataSource is null)
            {
                var old = _dataSource;
                _dataSource = BuildDataSource();
                _rebuildDataSource = false;
                if (old is not null)
                {
                    _metrics.RecordRebuild();
                    _logger.LogInformation("PostgreSQL store {Store}: rebuilt the data source after a connection failure", Description);
                    // Another writer still on a connection of the old source at worst fails its batch, which its stage retries.
                    await old.DisposeAsync().ConfigureAwait(false);
                }
            }

            dataSource = _dataSource;
        }
        finally
        {
            _openGate.Release();
        }

        return await BatchWriter.OpenAsync(dataSource, _settings.Schema, _settings.CommandTimeout, ct).ConfigureAwait(false);
    }

    private async Task DiscardWriterAsync(WriterSlot slot)
    {
        var writer = slot.Writer;
        slot.Writer = null;
        if (writer is null) return;
        try
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or IOException or TimeoutException or InvalidOperationException)
        {
            // A broken connection may fail to close cleanly; it is gone either way.
            _logger.LogDebug(ex, "PostgreSQL store {Store}: closing a failed connection raised {Error}", Description, ex.Message);
        }
    }

    private static bool IsConnectionFailure(Exception ex, BatchWriter? writer) =>
        writer is null
        || writer.Connection.FullState.HasFlag(ConnectionState.Broken)
        || writer.Connection.State != ConnectionState.Open
        || (ex is NpgsqlException { IsTransient: true } && ex is not PostgresException)
        || ex is SocketException or IOException or TimeoutException;

    private static string Reason(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            var line = e is PostgresException pg ? $"{pg.SqlState} {pg.MessageText}" : e.Message;
            var end = line.IndexOfAny(['\r', '\n']);
            if (end >= 0) line = line[..end];
            if (!parts.Contains(line)) parts.Add(line);
        }

        return string.Join(": ", parts);
    }

    /// <summary>One writer's connection, opened on first use and discarded after a failure.</summary>
    private sealed class WriterSlot
    {
        public BatchWriter? Writer { get; set; }
    }
}
