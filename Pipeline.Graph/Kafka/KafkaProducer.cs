using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// Stream stages that write to Kafka. They keep order, bound memory and treat librdkafka's full
/// local queue as backpressure, never as an error.
/// <para>
/// <b>Settings.</b> <see cref="ProducerSettings{TKey,TValue}"/> reads <c>parallelism</c>,
/// <c>flush-timeout</c>, <c>queue-full-retry-interval</c> and <c>kafka-clients</c> from
/// <c>pipeline.kafka.producer</c>. The defaults are <c>acks = all</c> and
/// <c>enable.idempotence = true</c>, so an acknowledged record survives a leader failure and
/// librdkafka's retries neither reorder nor duplicate records of a partition. Turning idempotence
/// off is allowed (brokers without the IdempotentWrite permission need it), but the stage then
/// logs a warning unless <c>max.in.flight.requests.per.connection = 1</c>.
/// </para>
/// <para>
/// <b>Failure.</b> A record librdkafka refuses or cannot deliver fails the stream with a
/// <see cref="ProducerDeliveryException"/>; there is no resuming decider, because librdkafka has
/// already retried for <c>message.timeout.ms</c> and skipping a record would break the
/// at-least-once chain (put a restart around the stream instead). A producer owned by the stage
/// is then disposed <i>without</i> flushing, so records queued behind the failed one are not
/// written out of order. A shared producer is left alone and may still deliver them.
/// </para>
/// <para>
/// <b>Metrics</b> (Prometheus, label <c>client_id</c> = <c>client.id</c>):
/// <c>pipeline_kafka_produced_total</c> (also by <c>topic</c>),
/// <c>pipeline_kafka_produce_errors_total</c>,
/// <c>pipeline_kafka_produce_queue_full_retries_total</c> and the gauge
/// <c>pipeline_kafka_producer_in_flight</c>. librdkafka's errors and logs go to the Akka log.
/// </para>
/// </summary>
public static class KafkaProducer
{
    /// <summary>
    /// Produces the records of each envelope and emits one result per envelope, in input order,
    /// carrying its pass-through value. The stage owns a producer built from
    /// <paramref name="settings"/> for each materialization.
    /// <para><b>Emits when</b> every record of the oldest envelope in flight is acknowledged
    /// (a pass-through envelope right away, in its place) and downstream demands.</para>
    /// <para><b>Backpressures when</b> <c>parallelism</c> envelopes are in flight (produced or
    /// waiting to be emitted), or librdkafka's local queue is full; the stage then retries the
    /// same record after <c>queue-full-retry-interval</c> or as soon as deliveries free room.
    /// After a pass-through envelope, while no record awaits its acknowledgement, it also waits for
    /// downstream demand before pulling again: a flow of mostly pass-throughs (a dead-letter flow)
    /// holds one element, not <c>parallelism</c>, in front of a slow downstream.</para>
    /// <para><b>Completes when</b> upstream completes and every result has been emitted; the
    /// producer is then disposed.</para>
    /// <para><b>Fails when</b> upstream fails, or a record is refused, undelivered or the producer
    /// hits a fatal error (<see cref="ProducerDeliveryException"/>); the producer is disposed
    /// without flushing.</para>
    /// <para><b>Cancels when</b> downstream cancels; records already handed over are flushed for up
    /// to <c>flush-timeout</c> in the background, their results are dropped.</para>
    /// </summary>
    /// <exception cref="KafkaConfigurationException">The settings are invalid (see <see cref="ProducerSettings{TKey,TValue}.Validate"/>).</exception>
    public static Flow<IEnvelope<TKey, TValue, TPass>, IResults<TKey, TValue, TPass>, NotUsed> FlexiFlow<TKey, TValue, TPass>(
        ProducerSettings<TKey, TValue> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return Flow.FromGraph(new ProducerStage<TKey, TValue, TPass>(settings, sharedProducer: null));
    }

    /// <summary>
    /// Like <see cref="FlexiFlow{TKey,TValue,TPass}(ProducerSettings{TKey,TValue})"/>, but writes
    /// through <paramref name="sharedProducer"/>, which the stage neither flushes nor disposes:
    /// its owner does, after every stream using it has finished. Only <c>parallelism</c> and
    /// <c>queue-full-retry-interval</c> of <paramref name="settings"/> apply; the producer's own
    /// configuration, error and log handlers are its owner's (see
    /// <see cref="ProducerSettings{TKey,TValue}.CreateKafkaProducer"/>). Fatal producer errors
    /// reach the owner's error handler, not this stage.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">The settings are invalid.</exception>
    public static Flow<IEnvelope<TKey, TValue, TPass>, IResults<TKey, TValue, TPass>, NotUsed> FlexiFlow<TKey, TValue, TPass>(
        ProducerSettings<TKey, TValue> settings,
        IProducer<TKey, TValue> sharedProducer)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sharedProducer);
        settings.Validate();
        return Flow.FromGraph(new ProducerStage<TKey, TValue, TPass>(settings, sharedProducer));
    }

    /// <summary>
    /// Writes every record and completes its task once all of them are acknowledged. Same
    /// ordering, backpressure and failure rules as
    /// <see cref="FlexiFlow{TKey,TValue,TPass}(ProducerSettings{TKey,TValue})"/>.
    /// <para><b>Materializes</b> a task that completes when upstream has completed and every record
    /// is acknowledged, or fails with the stream's failure.</para>
    /// </summary>
    /// <exception cref="KafkaConfigurationException">The settings are invalid.</exception>
    public static Sink<ProducerRecord<TKey, TValue>, Task<Done>> PlainSink<TKey, TValue>(ProducerSettings<TKey, TValue> settings) =>
        ToSink(FlexiFlow<TKey, TValue, NotUsed>(settings));

    /// <summary>
    /// <see cref="PlainSink{TKey,TValue}(ProducerSettings{TKey,TValue})"/> through a producer the
    /// caller owns and disposes.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">The settings are invalid.</exception>
    public static Sink<ProducerRecord<TKey, TValue>, Task<Done>> PlainSink<TKey, TValue>(
        ProducerSettings<TKey, TValue> settings,
        IProducer<TKey, TValue> sharedProducer) =>
        ToSink(FlexiFlow<TKey, TValue, NotUsed>(settings, sharedProducer));

    private static Sink<ProducerRecord<TKey, TValue>, Task<Done>> ToSink<TKey, TValue>(
        Flow<IEnvelope<TKey, TValue, NotUsed>, IResults<TKey, TValue, NotUsed>, NotUsed> producer) =>
        Flow.Create<ProducerRecord<TKey, TValue>>()
            .Select(record => ProducerMessage.Single(record, NotUsed.Instance))
            .Via(producer)
            .ToMaterialized(Sink.Ignore<IResults<TKey, TValue, NotUsed>>(), Keep.Right);
}
