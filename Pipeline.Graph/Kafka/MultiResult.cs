namespace Pipeline.Graph.Kafka;

/// <summary>The answer to a <see cref="MultiEnvelope{TKey,TValue,TPass}"/>: every record was acknowledged.</summary>
/// <param name="Parts">One part per record, in the envelope's record order.</param>
/// <param name="PassThrough">The envelope's pass-through value.</param>
public sealed record MultiResult<TKey, TValue, TPass>(IReadOnlyList<MultiResultPart<TKey, TValue>> Parts, TPass PassThrough)
    : IResults<TKey, TValue, TPass>;
