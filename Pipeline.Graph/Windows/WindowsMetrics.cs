using Prometheus;

namespace Pipeline.Graph.Windows;

/// <summary>
/// Prometheus metrics of the account-window stage and its feature store. Instances take a registry
/// so tests and concurrent graphs stay isolated; the host passes the default registry.
/// </summary>
public sealed class WindowsMetrics
{
    private readonly Counter _late;
    private readonly Counter _replayed;
    private readonly Counter _featurized;
    private readonly Gauge _accounts;
    private readonly Gauge _degraded;
    private readonly Counter _checkpointed;
    private readonly Counter _staleCheckpoints;
    private readonly Counter _loads;
    private readonly Counter _failures;
    private readonly Counter _corrupt;
    private readonly Counter _evicted;
    private readonly Histogram _storeSeconds;

    // Labelled children resolved once: WithLabels looks the series up on every call.
    private readonly Counter.Child _loadHits;
    private readonly Counter.Child _loadMisses;
    private readonly Counter.Child _loadFailures;
    private readonly Counter.Child _saveFailures;
    private readonly Histogram.Child _loadSeconds;
    private readonly Histogram.Child _saveSeconds;

    /// <summary>Creates the metrics in <paramref name="registry"/> (the default registry when null).</summary>
    public WindowsMetrics(CollectorRegistry? registry = null)
    {
        var f = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _late = f.CreateCounter("pipeline_windows_late_total", "Transactions later than the allowed lateness (still scored, flagged late).");
        _replayed = f.CreateCounter("pipeline_windows_replayed_total", "Transactions delivered again and recognised by the account's last applied offset (not counted twice).");
        _featurized = f.CreateCounter("pipeline_windows_featurized_total", "Transactions featurized.");
        _accounts = f.CreateGauge("pipeline_windows_accounts", "Accounts whose window state is in memory.");
        _degraded = f.CreateGauge("pipeline_feature_store_degraded", "1 while the feature store fails and window state is kept in memory only.");
        _checkpointed = f.CreateCounter("pipeline_feature_store_checkpoints_total", "Account states written to the feature store.");
        _staleCheckpoints = f.CreateCounter("pipeline_feature_store_stale_checkpoints_total", "Checkpoints the store refused because it held a newer one for the same partition.");
        _loads = f.CreateCounter("pipeline_feature_store_loads_total", "Account states looked up in the feature store, by result (hit, miss).", "result");
        _failures = f.CreateCounter("pipeline_feature_store_failures_total", "Failed or timed-out feature store operations, by operation (load, save).", "operation");
        _corrupt = f.CreateCounter("pipeline_feature_store_corrupt_total", "Stored account states that could not be read and were replaced by an empty state.");
        _evicted = f.CreateCounter("pipeline_windows_evicted_total", "Idle accounts dropped from memory after being checkpointed.");
        _storeSeconds = f.CreateHistogram("pipeline_feature_store_seconds", "Duration of one feature store batch, by operation.", new HistogramConfiguration
        {
            LabelNames = ["operation"],
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18),
        });
        _loadHits = _loads.WithLabels("hit");
        _loadMisses = _loads.WithLabels("miss");
        _loadFailures = _failures.WithLabels("load");
        _saveFailures = _failures.WithLabels("save");
        _loadSeconds = _storeSeconds.WithLabels("load");
        _saveSeconds = _storeSeconds.WithLabels("save");
    }

    /// <summary>Transactions featurized so far (replays included).</summary>
    public double Featurized => _featurized.Value;

    /// <summary>Late transactions so far.</summary>
    public double Late => _late.Value;

    /// <summary>Replayed transactions so far.</summary>
    public double Replayed => _replayed.Value;

    /// <summary>Accounts in memory now.</summary>
    public double Accounts => _accounts.Value;

    /// <summary>True while the store is degraded.</summary>
    public bool Degraded => _degraded.Value > 0;

    /// <summary>Account states checkpointed so far.</summary>
    public double Checkpointed => _checkpointed.Value;

    /// <summary>Accounts evicted so far.</summary>
    public double Evicted => _evicted.Value;

    /// <summary>Failed store operations so far, loads and saves together.</summary>
    public double Failures => _loadFailures.Value + _saveFailures.Value;

    internal void RecordFeaturized(long count) => _featurized.Inc(count);

    internal void RecordUnusual(bool late, bool replayed)
    {
        if (late) _late.Inc();
        if (replayed) _replayed.Inc();
    }

    internal void SetAccounts(int count) => _accounts.Set(count);

    internal void SetDegraded(bool degraded) => _degraded.Set(degraded ? 1 : 0);

    internal void RecordSave(int accounts, int stale, TimeSpan elapsed)
    {
        _checkpointed.Inc(accounts - stale);
        if (stale > 0) _staleCheckpoints.Inc(stale);
        _saveSeconds.Observe(elapsed.TotalSeconds);
    }

    internal void RecordLoad(int hits, int misses, TimeSpan elapsed)
    {
        if (hits > 0) _loadHits.Inc(hits);
        if (misses > 0) _loadMisses.Inc(misses);
        _loadSeconds.Observe(elapsed.TotalSeconds);
    }

    internal void RecordLoadFailure() => _loadFailures.Inc();

    internal void RecordSaveFailure() => _saveFailures.Inc();

    internal void RecordCorrupt() => _corrupt.Inc();

    internal void RecordEvicted(int count) => _evicted.Inc(count);
}
