namespace Pipeline.Graph.Kafka;

/// <summary>
/// An envelope without records: nothing is produced, but the pass-through value keeps its place
/// in the stream, so an offset of a filtered record still commits in order. Answered by a
/// <see cref="PassThroughResult{TKey,TValue,TPass}"/>.
/// </summary>
/// <param name="PassThrough">The value handed back in the result.</param>
public sealed record PassThroughEnvelope<TKey, TValue, TPass>(TPass PassThrough) : IEnvelope<TKey, TValue, TPass>;
