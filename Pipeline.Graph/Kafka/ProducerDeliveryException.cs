using Confluent.Kafka;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// The Kafka producer stage could not write a record: librdkafka refused it when it was handed
/// over (too large, not serializable, unknown partition …), the delivery report carried an
/// error after librdkafka's own retries ran out (<c>message.timeout.ms</c>), or the producer hit
/// a fatal error. The stream fails with it; the message names the producer's <c>client.id</c>,
/// the topic and partition, librdkafka's reason and error code, and never the record's content.
/// </summary>
public sealed class ProducerDeliveryException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full description.</param>
    /// <param name="error">librdkafka's error.</param>
    /// <param name="topic">The topic of the record, or <c>null</c> for a producer-wide error.</param>
    /// <param name="innerException">The Confluent.Kafka or serializer exception, if any.</param>
    public ProducerDeliveryException(string message, Error error, string? topic, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        Topic = topic;
    }

    /// <summary>librdkafka's error: code, reason, whether it is fatal.</summary>
    public Error Error { get; }

    /// <summary>The topic of the record that failed, or <c>null</c> for a producer-wide (fatal) error.</summary>
    public string? Topic { get; }

    internal static ProducerDeliveryException NotDelivered(string clientId, TopicPartition target, Error error) =>
        new(
            $"Kafka producer '{clientId}' could not deliver a record to topic '{target.Topic}'{DescribePartition(target.Partition)}: {error.Reason} ({error.Code})",
            error,
            target.Topic);

    internal static ProducerDeliveryException NotProduced(string clientId, TopicPartition target, Exception cause)
    {
        var error = cause is KafkaException kafka ? kafka.Error : new Error(ErrorCode.Local_Application, cause.Message);
        return new ProducerDeliveryException(
            $"Kafka producer '{clientId}' refused a record for topic '{target.Topic}'{DescribePartition(target.Partition)}: {FirstLine(error.Reason)} ({error.Code})",
            error,
            target.Topic,
            cause);
    }

    internal static ProducerDeliveryException Fatal(string clientId, Error error) =>
        new($"Kafka producer '{clientId}' hit a fatal error and cannot produce any more: {error.Reason} ({error.Code})", error, topic: null);

    private static string DescribePartition(Partition partition) =>
        partition == Partition.Any ? string.Empty : $" partition {partition.Value}";

    // Serializer failures carry a whole stack trace as their reason.
    private static string FirstLine(string reason)
    {
        var end = reason.IndexOfAny(['\r', '\n']);
        return end < 0 ? reason : reason[..end];
    }
}
