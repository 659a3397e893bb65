namespace Pipeline.Graph.Kafka;

/// <summary>
/// Offsets could not be committed: the broker kept refusing them with retriable errors for longer
/// than <c>pipeline.kafka.consumer.commit-timeout</c>, refused them with a permanent error, or the
/// consumer that read them was already shut down. The records will be delivered again.
/// </summary>
public sealed class CommitFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CommitFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public CommitFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
