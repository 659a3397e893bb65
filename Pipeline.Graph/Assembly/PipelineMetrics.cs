using Prometheus;

namespace Pipeline.Graph.Assembly;

/// <summary>
/// The Prometheus metrics of one running graph. Instances take a registry so tests and the bench
/// run isolated; the host uses the default registry that <c>/metrics</c> exports. Label values are
/// bounded sets (stage names, reason codes, partitions) — never ids or PII.
/// </summary>
public sealed class PipelineMetrics
{
    private readonly Counter _records;
    private readonly Counter _quarantined;
    private readonly Counter _anomalies;
    private readonly Counter _storeRetries;
    private readonly Gauge _lag;
    private readonly Histogram _endToEnd;
    private readonly Histogram _eventToStore;
    private readonly Histogram _storeBatch;
    private readonly Histogram _storeWrite;
    private readonly Counter.Child _accepted;
    private readonly Counter.Child _scored;
    private readonly Counter.Child _stored;
    private readonly Counter.Child _committed;

    /// <summary>Creates the metrics in <paramref name="registry"/> (the default registry when null).</summary>
    public PipelineMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _records = factory.CreateCounter("pipeline_records_total", "Records that passed each stage.", "stage");
        _quarantined = factory.CreateCounter("pipeline_quarantined_total", "Records quarantined, by rejecting stage and reason code.", "stage", "reason");
        _anomalies = factory.CreateCounter("pipeline_anomalies_total", "Transactions flagged anomalous, by severity.", "severity");
        _storeRetries = factory.CreateCounter("pipeline_store_retries_total", "Store batch writes retried after an error.");
        _lag = factory.CreateGauge("pipeline_consumer_lag", "Records between the consumer position and the high watermark, per partition.", "topic", "partition");
        var latencyBuckets = Histogram.ExponentialBuckets(0.001, 2, 16);
        _endToEnd = factory.CreateHistogram("pipeline_end_to_end_latency_seconds", "From reading a record to its row being durable.", new HistogramConfiguration { Buckets = latencyBuckets });
        _eventToStore = factory.CreateHistogram("pipeline_event_time_latency_seconds", "From a transaction's event time to its row being durable.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 20) });
        _storeBatch = factory.CreateHistogram("pipeline_store_batch_size", "Rows per store batch.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 14) });
        _storeWrite = factory.CreateHistogram("pipeline_store_write_seconds", "Duration of one store batch write.", new HistogramConfiguration { Buckets = latencyBuckets });
        _accepted = _records.WithLabels("accepted");
        _scored = _records.WithLabels("scored");
        _stored = _records.WithLabels("stored");
        _committed = _records.WithLabels("committed");
    }

    /// <summary>Total accepted records so far (for progress lines).</summary>
    public double Accepted => _accepted.Value;

    /// <summary>Total stored rows so far.</summary>
    public double Stored => _stored.Value;

    /// <summary>Total quarantined records so far.</summary>
    public double Quarantined => _quarantined.GetAllLabelValues().Sum(l => _quarantined.WithLabels(l).Value);

    /// <summary>Seconds spent in store writes so far.</summary>
    public double StoreWriteSeconds => _storeWrite.Sum;

    /// <summary>Total committed offsets so far.</summary>
    public double Committed => _committed.Value;

    /// <summary>A record decoded and validated.</summary>
    public void RecordAccepted() => _accepted.Inc();

    /// <summary><paramref name="count"/> records accepted (a batch records its sum once).</summary>
    public void RecordAccepted(int count) => _accepted.Inc(count);

    /// <summary>A record rejected by <paramref name="stage"/> for <paramref name="reason"/>.</summary>
    public void RecordQuarantined(string stage, string reason) => _quarantined.WithLabels(stage, reason).Inc();

    /// <summary>A transaction scored; <paramref name="severity"/> is set when it was flagged.</summary>
    public void RecordScored(string? severity)
    {
        _scored.Inc();
        if (severity is not null) _anomalies.WithLabels(severity).Inc();
    }

    /// <summary>A batch of <paramref name="rows"/> rows became durable after <paramref name="elapsed"/>.</summary>
    public void RecordStoreBatch(int rows, TimeSpan elapsed)
    {
        _stored.Inc(rows);
        _storeBatch.Observe(rows);
        _storeWrite.Observe(elapsed.TotalSeconds);
    }

    /// <summary>A store write failed and will be retried.</summary>
    public void RecordStoreRetry() => _storeRetries.Inc();

    /// <summary>Latencies of one durable element.</summary>
    public void RecordDurable(TimeSpan sinceReceived, TimeSpan sinceEventTime)
    {
        _endToEnd.Observe(Math.Max(0, sinceReceived.TotalSeconds));
        EndToEnd.Record(sinceReceived);
        _eventToStore.Observe(Math.Max(0, sinceEventTime.TotalSeconds));
    }

    /// <summary>Offsets of durable records handed to the committer (commit latency itself is pipeline_kafka_commit_latency_seconds).</summary>
    public void RecordCommitted(int count) => _committed.Inc(count);

    /// <summary>Current lag of one partition.</summary>
    public void SetLag(string topic, int partition, long lag) => _lag.WithLabels(topic, partition.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(lag);

    /// <summary>End-to-end latencies (read to durable) with exact-enough quantiles for progress lines and the bench.</summary>
    public LatencyRecorder EndToEnd { get; } = new();
}
