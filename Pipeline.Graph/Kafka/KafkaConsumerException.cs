namespace Pipeline.Graph.Kafka;

/// <summary>
/// A Kafka consumer failed in a way retrying cannot fix: a fatal client error, a record that
/// cannot be deserialized, missing authorization, or a consumer that did not close in time. The
/// message names the topic, partition and offset when one is involved.
/// </summary>
public sealed class KafkaConsumerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KafkaConsumerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public KafkaConsumerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
