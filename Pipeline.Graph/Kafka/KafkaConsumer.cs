using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// Kafka consumer sources, named as in Akka.Streams.Kafka. Each materialization runs one Kafka
/// consumer on its own OS thread (never on the Akka dispatcher), which keeps polling while the
/// stream backpressures so the consumer stays in its group.
/// <para>HOCON: <c>pipeline.kafka.consumer</c> (through <see cref="ConsumerSettings{TKey,TValue}"/>).</para>
/// </summary>
public static class KafkaConsumer
{
    /// <summary>
    /// A source of records with the offset to commit after processing them; feed the offsets to
    /// <see cref="Committer.Sink"/> (or <see cref="Committer.Flow"/>) once every effect of a record
    /// is durable, for at-least-once delivery.
    /// <list type="bullet">
    /// <item><b>Emits</b> when a record has been read and downstream demands; records of one partition in offset order.</item>
    /// <item><b>Backpressures</b> by buffering at most <c>buffer-size</c> records; at the bound every owned partition
    /// is paused (the consumer keeps polling to stay in the group) until the buffer drains to half.</item>
    /// <item><b>Rebalances</b>: records of a revoked or lost partition that were not emitted yet are dropped (they
    /// are redelivered to the new owner); offsets of such records are skipped by the committer, never committed.</item>
    /// <item><b>Completes</b> on <see cref="IControl.Stop"/>, <see cref="IControl.Shutdown"/> or
    /// <see cref="IControl.DrainAndShutdown{T}"/>; records buffered but not emitted are dropped uncommitted.</item>
    /// <item><b>Fails</b> with <see cref="KafkaConsumerException"/> on a fatal client error, a record that cannot be
    /// deserialized (consume bytes and decode in the stream to quarantine instead) or missing authorization.
    /// Unknown topics are logged and polled again.</item>
    /// <item><b>Cancels</b>: downstream cancellation completes the source; the consumer keeps serving the commits of
    /// records already emitted for at most <c>stop-timeout</c> (less once they are all committed), then closes.</item>
    /// </list>
    /// Materializes an <see cref="IControl"/>; combine it with the committer's task through
    /// <see cref="DrainingControl{T}"/> for a draining shutdown.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">A setting is invalid, or <c>kafka-clients</c> sets
    /// <c>enable.auto.commit</c>/<c>enable.auto.offset.store</c>, which <c>commit-mode</c> decides.</exception>
    public static Source<CommittableMessage<TKey, TValue>, IControl> CommittableSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings,
        ISubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(subscription);
        settings.Validate();
        var properties = settings.CommittableClientProperties().ToArray();
        return Source.FromGraph(new KafkaSourceStage<TKey, TValue, CommittableMessage<TKey, TValue>>(
            "kafkaCommittableSource",
            settings,
            subscription,
            properties,
            committable: true,
            static (record, partition, epoch, host) => new CommittableMessage<TKey, TValue>(
                record,
                new CommittableOffset(host, partition, record.Offset.Value, epoch))));
    }

    /// <summary>
    /// A source of records without offsets to commit: the consumer commits nothing unless
    /// <c>kafka-clients</c> opts into librdkafka's own auto-commit (<c>enable.auto.commit = true</c>
    /// with <c>enable.auto.offset.store = true</c>, i.e. at-most-once), or offsets are kept elsewhere.
    /// Emits, backpressures, rebalances, completes, fails and cancels as
    /// <see cref="CommittableSource{TKey,TValue}"/>. Materializes an <see cref="IControl"/>.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">A setting is invalid.</exception>
    public static Source<ConsumeResult<TKey, TValue>, IControl> PlainSource<TKey, TValue>(
        ConsumerSettings<TKey, TValue> settings,
        ISubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(subscription);
        settings.Validate();
        return Source.FromGraph(new KafkaSourceStage<TKey, TValue, ConsumeResult<TKey, TValue>>(
            "kafkaPlainSource",
            settings,
            subscription,
            settings.PlainClientProperties().ToArray(),
            committable: false,
            static (record, _, _, _) => record));
    }
}
