using Prometheus;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// Process-wide committer metrics: how many offsets were acknowledged and how long a batch took
/// from being cut (by count, interval or completion) to its acknowledgement by the consumer.
/// </summary>
internal static class CommitterMetrics
{
    internal static readonly Counter Offsets = Metrics.CreateCounter(
        "pipeline_kafka_committed_offsets_total", "Record offsets whose commit the consumer acknowledged (stored for auto-commit or committed).");

    internal static readonly Histogram Latency = Metrics.CreateHistogram(
        "pipeline_kafka_commit_latency_seconds",
        "From a commit batch being cut to the consumer acknowledging it.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
}
