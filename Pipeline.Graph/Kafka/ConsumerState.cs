namespace Pipeline.Graph.Kafka;

/// <summary>The lifecycle of a consumer source's Kafka consumer.</summary>
public enum ConsumerState
{
    /// <summary>Materialized; the consumer thread has not joined the group yet.</summary>
    Starting,

    /// <summary>Polling and emitting records.</summary>
    Running,

    /// <summary>The source completed (Stop, cancellation); the consumer still serves commits.</summary>
    Stopped,

    /// <summary>Final commits and leaving the group.</summary>
    ShuttingDown,

    /// <summary>Closed and disposed.</summary>
    Shutdown,

    /// <summary>Failed with a fatal error; see <see cref="ConsumerStatus.LastError"/>.</summary>
    Failed,
}
