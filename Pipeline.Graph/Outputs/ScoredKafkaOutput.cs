using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Outputs;

/// <summary>
/// Publishes every scored transaction to the <c>scored-transactions</c> topic (DESIGN §3.3) with the
/// producer stage, in the main graph before the store and the committer: key = account id (an
/// account's rows stay in one partition, in order), value = <see cref="ScoredTransactionJson"/>,
/// record timestamp = the transaction's event time. Other elements (quarantined, skipped) pass
/// through in their place.
/// <para>
/// Why in the stream rather than from the store: an element leaves this stage only once its record is
/// acknowledged, so an offset is committed only after its record is in Kafka (DESIGN §1, offsets after
/// every effect); a broker outage backpressures the source like a database outage, and no second
/// cursor over <c>scored_transactions</c> is needed. A replay after a crash produces the record again
/// with the same key and <c>transaction_id</c> (at-least-once; consumers dedupe on it).
/// </para>
/// <para>
/// Emits every element, in input order, once its record (if any) is acknowledged; backpressures as the
/// producer stage does (<c>pipeline.kafka.producer.parallelism</c> in flight, full local queue); fails
/// with <see cref="ProducerDeliveryException"/> when a record cannot be delivered within
/// <c>message.timeout.ms</c> (the offset is then not committed); completes when upstream completes and
/// every record is acknowledged; cancels upstream when downstream cancels. Materialized value:
/// <see cref="NotUsed"/>. Reads the settings it is given (<see cref="OutputSettings"/>:
/// <c>pipeline.outputs.scored</c>, <c>pipeline.topics.scored</c>, <c>pipeline.kafka.producer</c> with
/// client id <c>pipeline-scored</c>).
/// </para>
/// </summary>
public static class ScoredKafkaOutput
{
    /// <summary>The output through a producer the stage owns (built per materialization).</summary>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(ProducerSettings<string, string> settings, string topic)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return Wrap(KafkaProducer.FlexiFlow<string, string, PipelineElement>(settings), topic);
    }

    /// <summary>The output through <paramref name="sharedProducer"/>, which its owner flushes and disposes.</summary>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(
        ProducerSettings<string, string> settings, IProducer<string, string> sharedProducer, string topic)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sharedProducer);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return Wrap(KafkaProducer.FlexiFlow<string, string, PipelineElement>(settings, sharedProducer), topic);
    }

    /// <summary>The record a scored transaction is published as.</summary>
    public static ProducerRecord<string, string> Record(ScoredTransaction row, string topic)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new ProducerRecord<string, string>(topic, row.AccountId, ScoredTransactionJson.SerializeToString(row))
        {
            Timestamp = row.Timestamp,
        };
    }

    private static Flow<PipelineElement, PipelineElement, NotUsed> Wrap(
        Flow<IEnvelope<string, string, PipelineElement>, IResults<string, string, PipelineElement>, NotUsed> producer, string topic) =>
        Flow.Create<PipelineElement>()
            .Select(e => e is ScoredElement scored
                ? ProducerMessage.Single(Record(scored.Scored, topic), e)
                : ProducerMessage.PassThrough<string, string, PipelineElement>(e))
            .Via(producer)
            .Select(result => result.PassThrough)
            .Named("scored-to-kafka");
}
