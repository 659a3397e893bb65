using System.Globalization;
using Pipeline.Graph.Drift;
using Pipeline.Host.Inspector;
using Pipeline.Models.Domain;
using Prometheus;
using RegistryVersion = Pipeline.Graph.Retraining.ModelVersionInfo;

namespace Pipeline.Host.Http;

/// <summary>
/// The status page's memory: counts of scored and anomalous transactions, a score histogram, the
/// model versions seen scoring, the registry's model versions and drift events (as the lifecycle
/// recorder hears them, <see cref="ILifecycleObserver"/>), and bounded rings of recent anomalies,
/// drift events and alerts. Transaction ids are kept; account ids, amounts and features are not.
/// Scores are also exported as the Prometheus histogram <c>pipeline_anomaly_score</c> (Grafana's
/// score distribution). It also answers <c>drift show</c> (<see cref="IDriftFeed"/>).
/// </summary>
public sealed class StatusFeed : IStatusFeed, IDriftFeed, ILifecycleObserver
{
    /// <summary>Histogram buckets over the score range [0, 1].</summary>
    public const int Buckets = 20;

    /// <summary>Entries each ring keeps.</summary>
    public const int RingSize = 50;

    private readonly object _gate = new();
    private readonly long[] _histogram = new long[Buckets];
    private readonly Dictionary<string, ModelUse> _models = new(StringComparer.Ordinal);
    private readonly LinkedList<AlertInfo> _anomalies = new();
    private readonly LinkedList<DriftEventInfo> _drift = new();
    private readonly SortedDictionary<long, RegistryVersion> _versions = [];
    private readonly Histogram _scores;
    private readonly TimeProvider _clock;
    private long _scored;
    private long _anomalous;

    /// <summary>Creates the feed; its histogram goes to <paramref name="registry"/> (the default registry when null).</summary>
    /// <param name="registry">Where <c>pipeline_anomaly_score</c> is registered.</param>
    /// <param name="clock">Stamps drift events with the time they were heard (the system clock when null).</param>
    public StatusFeed(CollectorRegistry? registry = null, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _scores = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry).CreateHistogram(
            "pipeline_anomaly_score",
            "Anomaly scores of scored transactions, in [0, 1].",
            new HistogramConfiguration { Buckets = Histogram.LinearBuckets(1.0 / Buckets, 1.0 / Buckets, Buckets - 1) });
    }

    /// <summary>Transactions scored so far.</summary>
    public long Scored => Interlocked.Read(ref _scored);

    /// <summary>Transactions flagged anomalous so far.</summary>
    public long Anomalous => Interlocked.Read(ref _anomalous);

    /// <inheritdoc />
    public void RecordScored(ScoredTransaction scored)
    {
        var bucket = Math.Clamp((int)(Math.Clamp(scored.Score, 0, 1) * Buckets), 0, Buckets - 1);
        _scores.Observe(scored.Score);
        lock (_gate)
        {
            _scored++;
            _histogram[bucket]++;
            if (!_models.TryGetValue(scored.ModelVersion, out var use))
            {
                use = new ModelUse(scored.Timestamp);
                _models[scored.ModelVersion] = use;
            }

            use.Count++;
            use.LastSeen = scored.Timestamp;
            if (!scored.IsAnomaly) return;
            _anomalous++;
            Push(_anomalies, new AlertInfo(scored.Timestamp, scored.TransactionId, scored.Severity, scored.Score, scored.Reasons, "flagged"));
        }
    }

    /// <inheritdoc />
    public void RecordDrift(DriftEventInfo drift)
    {
        lock (_gate) Push(_drift, drift);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Stamped with the time it was heard, so it lands on the page's wall-clock timeline even when the
    /// transactions' event times lie in the past (a backlog, a replay); the event time is in the detail.
    /// </remarks>
    public void OnDrift(DriftEvent drift, string modelVersion)
    {
        var detail = string.Create(
            CultureInfo.InvariantCulture,
            $"value {drift.Value:0.####}, model {modelVersion}, event time {drift.Timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}; {drift.Details}");
        RecordDrift(new DriftEventInfo(_clock.GetUtcNow(), drift.Detector, drift.Signal, detail));
    }

    /// <inheritdoc />
    public void OnModelVersion(RegistryVersion version)
    {
        lock (_gate)
        {
            _versions[version.Version] = version;
            while (_versions.Count > RingSize) _versions.Remove(_versions.Keys.First());
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<DriftEventInfo> RecentDrift(int count)
    {
        lock (_gate) return _drift.Take(count).ToList();
    }

    /// <summary>A consistent copy of everything, newest entries first.</summary>
    public StatusFeedSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new StatusFeedSnapshot(
                _scored,
                _anomalous,
                [.. _histogram],
                _models.Select(kv => new ModelVersionSeen(kv.Key, kv.Value.FirstSeen, kv.Value.LastSeen, kv.Value.Count)).OrderByDescending(m => m.LastSeen).ToList(),
                [.. _anomalies],
                [.. _drift],
                _versions.Values.Reverse().ToList());
        }
    }

    private static void Push<T>(LinkedList<T> ring, T item)
    {
        ring.AddFirst(item);
        if (ring.Count > RingSize) ring.RemoveLast();
    }

    private sealed class ModelUse(DateTimeOffset firstSeen)
    {
        public DateTimeOffset FirstSeen { get; } = firstSeen;

        public DateTimeOffset LastSeen { get; set; } = firstSeen;

        public long Count { get; set; }
    }
}
