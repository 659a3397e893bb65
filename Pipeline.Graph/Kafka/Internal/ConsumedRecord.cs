using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// A record handed from the poll thread to the stage, tagged with the assignment epoch it was read under and
/// its partition: one shared <see cref="Confluent.Kafka.TopicPartition"/> per partition, because
/// <see cref="ConsumeResult{TKey,TValue}.TopicPartition"/> allocates a new one on every read.
/// </summary>
internal readonly record struct ConsumedRecord<TKey, TValue>(ConsumeResult<TKey, TValue> Result, int Epoch, TopicPartition TopicPartition);
