using Pipeline.Models.Anomaly;
using Prometheus;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// Prometheus metrics of the alert flow and the delivery streams. Labels are bounded sets
/// (severity, suppression kind, channel, outcome) — never ids.
/// <list type="bullet">
/// <item><c>pipeline_alerts_raised_total{severity}</c>: alerts written (replays of an existing alert not counted).</item>
/// <item><c>pipeline_alerts_suppressed_total{kind}</c>: candidates suppressed, kind = cooldown | duplicate.</item>
/// <item><c>pipeline_alert_write_retries_total</c>: alert-write batches retried after a database error.</item>
/// <item><c>pipeline_alert_outbox_depth{channel}</c>: outbox rows waiting for delivery (gauge, refreshed by the delivery stream).</item>
/// <item><c>pipeline_alert_outbox_oldest_pending_seconds{channel}</c>: age of the oldest waiting row (0 when none).</item>
/// <item><c>pipeline_alert_deliveries_total{channel,outcome}</c>: outcome = delivered | retried | rate_limited | failed | skipped.</item>
/// <item><c>pipeline_alert_delivery_latency_seconds{channel}</c>: from raising an alert to its successful post.</item>
/// </list>
/// </summary>
public sealed class AlertMetrics
{
    /// <summary>Outcome label: the receiver accepted the alert.</summary>
    public const string Delivered = "delivered";

    /// <summary>Outcome label: a 5xx, timeout or network error; retried later.</summary>
    public const string Retried = "retried";

    /// <summary>Outcome label: HTTP 429; retried after Retry-After.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>Outcome label: given up (permanent 4xx or max-attempts reached); the row is dead.</summary>
    public const string Failed = "failed";

    /// <summary>Outcome label: below the channel's minimum severity; not posted.</summary>
    public const string Skipped = "skipped";

    private readonly Counter _raised;
    private readonly Counter _suppressed;
    private readonly Counter _writeRetries;
    private readonly Gauge _depth;
    private readonly Gauge _oldest;
    private readonly Counter _deliveries;
    private readonly Histogram _latency;

    /// <summary>Creates the metrics in <paramref name="registry"/> (the default registry when null).</summary>
    public AlertMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _raised = factory.CreateCounter("pipeline_alerts_raised_total", "Alerts raised and written, by severity.", "severity");
        _suppressed = factory.CreateCounter("pipeline_alerts_suppressed_total", "Alert candidates suppressed, by kind (cooldown, duplicate).", "kind");
        _writeRetries = factory.CreateCounter("pipeline_alert_write_retries_total", "Alert write batches retried after a database error.");
        _depth = factory.CreateGauge("pipeline_alert_outbox_depth", "Outbox rows waiting for delivery, per channel.", "channel");
        _oldest = factory.CreateGauge("pipeline_alert_outbox_oldest_pending_seconds", "Age of the oldest outbox row waiting for delivery, per channel (0 when none).", "channel");
        _deliveries = factory.CreateCounter("pipeline_alert_deliveries_total", "Alert delivery attempts by channel and outcome.", "channel", "outcome");
        _latency = factory.CreateHistogram("pipeline_alert_delivery_latency_seconds", "From raising an alert to its successful delivery, per channel.",
            new HistogramConfiguration { LabelNames = ["channel"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 18) });
    }

    /// <summary>An alert of <paramref name="severity"/> was raised.</summary>
    public void RecordRaised(Severity severity) => _raised.WithLabels(SeverityBuckets.WireName(severity)).Inc();

    /// <summary>A candidate was suppressed by its cooldown.</summary>
    public void RecordSuppressedByCooldown() => _suppressed.WithLabels("cooldown").Inc();

    /// <summary>A candidate was suppressed as a duplicate.</summary>
    public void RecordSuppressedDuplicate() => _suppressed.WithLabels("duplicate").Inc();

    /// <summary>An alert-write batch failed and will be retried.</summary>
    public void RecordWriteRetry() => _writeRetries.Inc();

    /// <summary>The outbox of <paramref name="channel"/> holds <paramref name="depth"/> waiting rows, the oldest <paramref name="oldest"/> old.</summary>
    public void RecordOutbox(string channel, long depth, TimeSpan oldest)
    {
        _depth.WithLabels(channel).Set(depth);
        _oldest.WithLabels(channel).Set(Math.Max(0, oldest.TotalSeconds));
    }

    /// <summary>One delivery attempt on <paramref name="channel"/> ended with <paramref name="outcome"/> (one of the outcome constants).</summary>
    public void RecordDelivery(string channel, string outcome) => _deliveries.WithLabels(channel, outcome).Inc();

    /// <summary>An alert reached <paramref name="channel"/> <paramref name="latency"/> after it was raised.</summary>
    public void RecordDeliveryLatency(string channel, TimeSpan latency) => _latency.WithLabels(channel).Observe(Math.Max(0, latency.TotalSeconds));

    /// <summary>Alerts raised so far, all severities.</summary>
    public double Raised => _raised.GetAllLabelValues().Sum(l => _raised.WithLabels(l).Value);

    /// <summary>Candidates suppressed so far of <paramref name="kind"/> (cooldown or duplicate).</summary>
    public double Suppressed(string kind) => _suppressed.WithLabels(kind).Value;

    /// <summary>Deliveries so far on <paramref name="channel"/> with <paramref name="outcome"/>.</summary>
    public double Deliveries(string channel, string outcome) => _deliveries.WithLabels(channel, outcome).Value;

    /// <summary>The last outbox depth recorded for <paramref name="channel"/>.</summary>
    public double OutboxDepth(string channel) => _depth.WithLabels(channel).Value;

    /// <summary>The last oldest-pending age recorded for <paramref name="channel"/>, in seconds.</summary>
    public double OutboxOldestSeconds(string channel) => _oldest.WithLabels(channel).Value;
}
