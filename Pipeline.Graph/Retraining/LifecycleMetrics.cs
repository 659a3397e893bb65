using Prometheus;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// Prometheus metrics of drift detection and the model lifecycle. Instances take a registry so
/// tests and concurrent graphs stay isolated; the host passes the default registry.
/// </summary>
public sealed class LifecycleMetrics
{
    private readonly Counter _drift;
    private readonly Counter _swaps;
    private readonly Gauge _version;
    private readonly Counter _shadow;
    private readonly Counter _labels;

    /// <summary>Creates the metrics in <paramref name="registry"/> (the default registry when null).</summary>
    public LifecycleMetrics(CollectorRegistry? registry = null)
    {
        var f = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _drift = f.CreateCounter("pipeline_drift_events_total", "Drift events raised, by detector (adwin, ddm) and signal.", "detector", "signal");
        _swaps = f.CreateCounter("pipeline_model_swaps_total", "Models swapped into the scoring stage.");
        _version = f.CreateGauge("pipeline_model_version", "The model version scoring now.");
        _shadow = f.CreateCounter("pipeline_shadow_evaluations_total", "Shadow evaluations finished, by decision (promote, reject).", "decision");
        _labels = f.CreateCounter("pipeline_drift_labels_total", "Delayed labels received by the drift stage, by match (matched, unknown).", "match");
    }

    /// <summary>Counts a drift event.</summary>
    public void RecordDrift(string detector, string signal) => _drift.WithLabels(detector, signal).Inc();

    /// <summary>Counts a swap to <paramref name="version"/>.</summary>
    public void RecordSwap(long version)
    {
        _swaps.Inc();
        _version.Set(version);
    }

    /// <summary>Sets the version scoring now.</summary>
    public void SetActiveVersion(long version) => _version.Set(version);

    /// <summary>Counts a finished shadow evaluation.</summary>
    public void RecordShadowEvaluation(bool promote) => _shadow.WithLabels(promote ? "promote" : "reject").Inc();

    /// <summary>Counts a delayed label, matched to a remembered decision or not.</summary>
    public void RecordLabel(bool matched) => _labels.WithLabels(matched ? "matched" : "unknown").Inc();
}
