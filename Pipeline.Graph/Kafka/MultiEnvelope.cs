namespace Pipeline.Graph.Kafka;

/// <summary>
/// An envelope with any number of records, produced in list order; answered by one
/// <see cref="MultiResult{TKey,TValue,TPass}"/> once all of them are acknowledged. An empty list
/// behaves like a pass-through.
/// </summary>
/// <param name="Records">The records to produce.</param>
/// <param name="PassThrough">The value handed back in the result.</param>
public sealed record MultiEnvelope<TKey, TValue, TPass>(IReadOnlyList<ProducerRecord<TKey, TValue>> Records, TPass PassThrough)
    : IEnvelope<TKey, TValue, TPass>;
