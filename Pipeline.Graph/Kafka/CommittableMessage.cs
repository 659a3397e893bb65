using Confluent.Kafka;

namespace Pipeline.Graph.Kafka;

/// <summary>A consumed record with the offset to commit once every effect of it is durable.</summary>
/// <param name="Record">The record as Confluent.Kafka returned it.</param>
/// <param name="CommittableOffset">Its offset, for <see cref="Committer"/>.</param>
/// <typeparam name="TKey">Record key type.</typeparam>
/// <typeparam name="TValue">Record value type.</typeparam>
public sealed record CommittableMessage<TKey, TValue>(ConsumeResult<TKey, TValue> Record, CommittableOffset CommittableOffset);
