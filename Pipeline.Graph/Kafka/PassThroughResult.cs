namespace Pipeline.Graph.Kafka;

/// <summary>The answer to a <see cref="PassThroughEnvelope{TKey,TValue,TPass}"/>; emitted in its place in the stream.</summary>
/// <param name="PassThrough">The envelope's pass-through value.</param>
public sealed record PassThroughResult<TKey, TValue, TPass>(TPass PassThrough) : IResults<TKey, TValue, TPass>;
