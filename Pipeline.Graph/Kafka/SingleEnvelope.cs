namespace Pipeline.Graph.Kafka;

/// <summary>An envelope with exactly one record; answered by a <see cref="Result{TKey,TValue,TPass}"/>.</summary>
/// <param name="Record">The record to produce.</param>
/// <param name="PassThrough">The value handed back in the result.</param>
public sealed record SingleEnvelope<TKey, TValue, TPass>(ProducerRecord<TKey, TValue> Record, TPass PassThrough)
    : IEnvelope<TKey, TValue, TPass>;
