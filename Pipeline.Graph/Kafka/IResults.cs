namespace Pipeline.Graph.Kafka;

/// <summary>
/// What <see cref="KafkaProducer.FlexiFlow{TKey,TValue,TPass}(ProducerSettings{TKey,TValue})"/>
/// emits, one per envelope and in envelope order, once every record of the envelope is
/// acknowledged: <see cref="Result{TKey,TValue,TPass}"/>, <see cref="MultiResult{TKey,TValue,TPass}"/>
/// or <see cref="PassThroughResult{TKey,TValue,TPass}"/>.
/// </summary>
/// <typeparam name="TKey">The record key type.</typeparam>
/// <typeparam name="TValue">The record value type.</typeparam>
/// <typeparam name="TPass">The pass-through type.</typeparam>
public interface IResults<TKey, TValue, out TPass>
{
    /// <summary>The pass-through value of the envelope this result answers.</summary>
    TPass PassThrough { get; }
}
