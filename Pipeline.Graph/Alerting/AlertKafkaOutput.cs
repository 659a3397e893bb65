using System.Text;
using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// Publishes raised alerts to the <c>anomaly-alerts</c> topic (DESIGN §3.3) with the producer stage:
/// key = account id (an account's alerts stay in one partition, in order), value = the alert JSON
/// (<see cref="AlertJson"/>), header <c>alert-id</c> = the alert id, record timestamp = the alert's
/// creation time. Elements without an alert pass through in their place.
/// <para>
/// Emits every element, in input order, once its alert (if any) is acknowledged by the broker;
/// backpressures as the producer stage does (<c>parallelism</c> in flight, full local queue); fails
/// when a record cannot be delivered within <c>message.timeout.ms</c>
/// (<see cref="ProducerDeliveryException"/>) — the offset of that record is then not committed and
/// the record is replayed after a restart, so the alert is produced again with the same id and key
/// (at-least-once; consumers dedupe on <c>alert-id</c>). Completes when upstream completes and every
/// record is acknowledged. Materialized value: <see cref="NotUsed"/>. Reads the producer settings it is
/// given (normally <c>pipeline.kafka.producer</c> with its own <c>client.id</c>) and the topic name
/// (<c>pipeline.topics.alerts</c>).
/// </para>
/// </summary>
public static class AlertKafkaOutput
{
    /// <summary>The header carrying the alert id.</summary>
    public const string AlertIdHeader = "alert-id";

    /// <summary>The output through a producer the stage owns (built from <paramref name="settings"/> per materialization).</summary>
    public static Flow<AlertedElement, AlertedElement, NotUsed> Create(ProducerSettings<string, string> settings, string topic)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return Wrap(KafkaProducer.FlexiFlow<string, string, AlertedElement>(settings), topic);
    }

    /// <summary>The output through <paramref name="sharedProducer"/>, which its owner flushes and disposes.</summary>
    public static Flow<AlertedElement, AlertedElement, NotUsed> Create(ProducerSettings<string, string> settings, IProducer<string, string> sharedProducer, string topic)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sharedProducer);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return Wrap(KafkaProducer.FlexiFlow<string, string, AlertedElement>(settings, sharedProducer), topic);
    }

    /// <summary>The record an alert is published as.</summary>
    public static ProducerRecord<string, string> Record(Alert alert, string topic)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new ProducerRecord<string, string>(topic, alert.AccountId, AlertJson.SerializeToString(alert))
        {
            Headers = new Headers { { AlertIdHeader, Encoding.ASCII.GetBytes(alert.AlertId.ToString("D")) } },
            Timestamp = alert.CreatedAt,
        };
    }

    private static Flow<AlertedElement, AlertedElement, NotUsed> Wrap(
        Flow<IEnvelope<string, string, AlertedElement>, IResults<string, string, AlertedElement>, NotUsed> producer, string topic) =>
        Flow.Create<AlertedElement>()
            .Select(e => e.Alert is { } alert
                ? ProducerMessage.Single(Record(alert, topic), e)
                : ProducerMessage.PassThrough<string, string, AlertedElement>(e))
            .Via(producer)
            .Select(result => result.PassThrough)
            .Named("alerts-to-kafka");
}
