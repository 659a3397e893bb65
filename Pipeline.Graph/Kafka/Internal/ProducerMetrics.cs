using Prometheus;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// The producer stage's Prometheus metrics, labelled by the producer's <c>client.id</c> so several
/// producers (scored events, alerts, the dead-letter topic) can be told apart.
/// </summary>
internal static class ProducerMetrics
{
    internal static readonly Counter Produced = Metrics.CreateCounter(
        "pipeline_kafka_produced_total",
        "Records the Kafka broker acknowledged, by producer client.id and topic.",
        new CounterConfiguration { LabelNames = ["client_id", "topic"] });

    internal static readonly Counter Errors = Metrics.CreateCounter(
        "pipeline_kafka_produce_errors_total",
        "Records refused by librdkafka or not delivered, plus fatal producer errors; each one fails its stream.",
        new CounterConfiguration { LabelNames = ["client_id"] });

    internal static readonly Counter QueueFullRetries = Metrics.CreateCounter(
        "pipeline_kafka_produce_queue_full_retries_total",
        "Times librdkafka's local queue was full (Local: Queue full) and the stage waited before producing again.",
        new CounterConfiguration { LabelNames = ["client_id"] });

    internal static readonly Gauge InFlight = Metrics.CreateGauge(
        "pipeline_kafka_producer_in_flight",
        "Records handed to librdkafka whose delivery report has not arrived yet.",
        new GaugeConfiguration { LabelNames = ["client_id"] });
}
