using Prometheus;

namespace Pipeline.Graph.Sinks.Postgres;

/// <summary>
/// Prometheus metrics of the PostgreSQL store. Retries are counted by the store stage
/// (<c>pipeline_store_retries_total</c>); these say what each write did inside the database.
/// Instances take a registry so tests run isolated; null means the default registry <c>/metrics</c> exports.
/// </summary>
public sealed class PostgresStoreMetrics
{
    private readonly Counter _rows;
    private readonly Histogram _batchRows;
    private readonly Histogram _writeSeconds;
    private readonly Counter _failures;
    private readonly Counter _rebuilds;
    private readonly Counter _replayFallbacks;

    /// <summary>Creates the metrics in <paramref name="registry"/> (the default registry when null).</summary>
    public PostgresStoreMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _rows = factory.CreateCounter("pipeline_postgres_rows_total",
            "Rows offered to PostgreSQL by table and outcome: inserted, or duplicate (already present, a replay).", "table", "outcome");
        _batchRows = factory.CreateHistogram("pipeline_postgres_batch_rows", "Scored and quarantine rows per committed write transaction.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 15) });
        _writeSeconds = factory.CreateHistogram("pipeline_postgres_write_seconds", "Duration of one committed write transaction (COPY, insert, offsets, commit).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        _failures = factory.CreateCounter("pipeline_postgres_write_failures_total",
            "Write transactions that failed, by kind: connection (server unreachable or connection lost) or database (an error the server reported).", "kind");
        _rebuilds = factory.CreateCounter("pipeline_postgres_connection_rebuilds_total",
            "Times the store dropped its connection and data source after a connection failure and built new ones.");
        _replayFallbacks = factory.CreateCounter("pipeline_postgres_replay_fallbacks_total",
            "Batches whose direct COPY met a row already stored (a replay) and were written again through the idempotent staging path.");
    }

    /// <summary>Rows inserted so far into <paramref name="table"/>.</summary>
    public double Inserted(string table) => _rows.WithLabels(table, "inserted").Value;

    /// <summary>Rows skipped so far as already present in <paramref name="table"/>.</summary>
    public double Duplicates(string table) => _rows.WithLabels(table, "duplicate").Value;

    /// <summary>Connection rebuilds so far.</summary>
    public double ConnectionRebuilds => _rebuilds.Value;

    /// <summary>Batches rewritten through the idempotent staging path because their direct COPY met a stored row.</summary>
    public double ReplayFallbacks => _replayFallbacks.Value;

    /// <summary>Committed write transactions so far.</summary>
    public long Batches => _writeSeconds.Count;

    internal void RecordRows(string table, int offered, int inserted)
    {
        _rows.WithLabels(table, "inserted").Inc(inserted);
        _rows.WithLabels(table, "duplicate").Inc(offered - inserted);
    }

    internal void RecordBatch(int rows, TimeSpan elapsed)
    {
        _batchRows.Observe(rows);
        _writeSeconds.Observe(elapsed.TotalSeconds);
    }

    internal void RecordFailure(bool connection) => _failures.WithLabels(connection ? "connection" : "database").Inc();

    internal void RecordRebuild() => _rebuilds.Inc();

    internal void RecordReplayFallback() => _replayFallbacks.Inc();
}
