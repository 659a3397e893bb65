namespace Pipeline.Graph.Kafka;

/// <summary>
/// What <see cref="KafkaProducer.FlexiFlow{TKey,TValue,TPass}(ProducerSettings{TKey,TValue})"/>
/// consumes: zero, one or several records plus a pass-through value (typically the consumer
/// offset to commit once the records are written). Create envelopes with
/// <see cref="ProducerMessage"/>; the stage fails on any other implementation.
/// </summary>
/// <typeparam name="TKey">The record key type.</typeparam>
/// <typeparam name="TValue">The record value type.</typeparam>
/// <typeparam name="TPass">The pass-through type, handed back unchanged in the result.</typeparam>
public interface IEnvelope<TKey, TValue, out TPass>
{
    /// <summary>The value handed back in the matching <see cref="IResults{TKey,TValue,TPass}"/>.</summary>
    TPass PassThrough { get; }
}
