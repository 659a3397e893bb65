using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>A record handed from the poll thread to the stage, tagged with the assignment epoch it was read under.</summary>
internal readonly record struct ConsumedRecord<TKey, TValue>(ConsumeResult<TKey, TValue> Result, int Epoch);
