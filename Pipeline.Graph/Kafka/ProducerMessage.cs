namespace Pipeline.Graph.Kafka;

/// <summary>Creates the envelopes <see cref="KafkaProducer.FlexiFlow{TKey,TValue,TPass}(ProducerSettings{TKey,TValue})"/> consumes.</summary>
public static class ProducerMessage
{
    /// <summary>One record; the flow answers with a <see cref="Result{TKey,TValue,TPass}"/>.</summary>
    public static IEnvelope<TKey, TValue, TPass> Single<TKey, TValue, TPass>(ProducerRecord<TKey, TValue> record, TPass passThrough)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new SingleEnvelope<TKey, TValue, TPass>(record, passThrough);
    }

    /// <summary>Several records, produced in list order; the flow answers with one <see cref="MultiResult{TKey,TValue,TPass}"/>.</summary>
    public static IEnvelope<TKey, TValue, TPass> Multi<TKey, TValue, TPass>(IReadOnlyList<ProducerRecord<TKey, TValue>> records, TPass passThrough)
    {
        ArgumentNullException.ThrowIfNull(records);
        return new MultiEnvelope<TKey, TValue, TPass>(records, passThrough);
    }

    /// <summary>No record; the flow answers with a <see cref="PassThroughResult{TKey,TValue,TPass}"/> in this envelope's place.</summary>
    public static IEnvelope<TKey, TValue, TPass> PassThrough<TKey, TValue, TPass>(TPass passThrough) =>
        new PassThroughEnvelope<TKey, TValue, TPass>(passThrough);
}
