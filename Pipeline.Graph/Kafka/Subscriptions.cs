using Confluent.Kafka;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>Factories for <see cref="ISubscription"/>, named as in Akka.Streams.Kafka.</summary>
public static class Subscriptions
{
    /// <summary>
    /// Subscribe to <paramref name="topics"/> as a member of the consumer group: partitions are
    /// assigned and revoked by the group (cooperative-sticky by default), and each assignment
    /// starts at the group's committed offset (or <c>auto.offset.reset</c>).
    /// </summary>
    public static ISubscription Topics(params string[] topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (topics.Length == 0 || topics.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("name at least one topic, none of them empty", nameof(topics));
        }

        return new TopicSubscription(topics.Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// Subscribe to every topic matching the regular expression <paramref name="pattern"/>
    /// (librdkafka syntax; topics created later join on the next metadata refresh).
    /// </summary>
    public static ISubscription TopicPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        return new TopicSubscription([pattern.StartsWith('^') ? pattern : "^" + pattern]);
    }

    /// <summary>
    /// Read exactly <paramref name="partitions"/> without group management: no rebalances; each
    /// partition starts at the group's committed offset (or <c>auto.offset.reset</c>). Offsets are
    /// still committed for the configured <c>group.id</c>.
    /// </summary>
    public static ISubscription Assignment(params TopicPartition[] partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Length == 0 || partitions.Any(p => p is null))
        {
            throw new ArgumentException("name at least one partition", nameof(partitions));
        }

        return new AssignmentSubscription(partitions.Distinct().ToArray());
    }
}
