using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// INTERNAL API. One envelope the producer stage pulled: its records, how many were handed to
/// librdkafka, and their acknowledgements. Touched only on the stage's thread.
/// </summary>
internal sealed class ProducerPending<TKey, TValue, TPass>
{
    private readonly IEnvelope<TKey, TValue, TPass> _envelope;
    private readonly (TopicPartitionOffset Offset, Timestamp Timestamp)[] _acks;
    private int _acknowledged;

    public ProducerPending(IEnvelope<TKey, TValue, TPass> envelope, IReadOnlyList<ProducerRecord<TKey, TValue>> records)
    {
        _envelope = envelope;
        Records = records;
        _acks = records.Count == 0 ? [] : new (TopicPartitionOffset, Timestamp)[records.Count];
    }

    public IReadOnlyList<ProducerRecord<TKey, TValue>> Records { get; }

    /// <summary>Records handed to librdkafka so far; the next one to produce has this index.</summary>
    public int Produced { get; set; }

    public bool IsComplete => _acknowledged == Records.Count;

    public void Acknowledge(int index, DeliveryReport<TKey, TValue> report)
    {
        _acks[index] = (report.TopicPartitionOffset, report.Message?.Timestamp ?? new Timestamp(0, TimestampType.NotAvailable));
        _acknowledged++;
    }

    public IResults<TKey, TValue, TPass> ToResult() => _envelope switch
    {
        SingleEnvelope<TKey, TValue, TPass> single =>
            new Result<TKey, TValue, TPass>(single.Record, _acks[0].Offset, _acks[0].Timestamp, single.PassThrough),
        MultiEnvelope<TKey, TValue, TPass> multi =>
            new MultiResult<TKey, TValue, TPass>(
                multi.Records.Select((record, i) => new MultiResultPart<TKey, TValue>(record, _acks[i].Offset, _acks[i].Timestamp)).ToArray(),
                multi.PassThrough),
        _ => new PassThroughResult<TKey, TValue, TPass>(_envelope.PassThrough),
    };
}
