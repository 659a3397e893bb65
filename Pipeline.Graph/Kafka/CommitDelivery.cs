namespace Pipeline.Graph.Kafka;

/// <summary>Whether the committer waits for the consumer to confirm each batch (Alpakka's <c>delivery</c>).</summary>
public enum CommitDelivery
{
    /// <summary>HOCON <c>wait-for-ack</c>: a batch is done when its offsets are stored or committed; failures fail the committer.</summary>
    WaitForAck,

    /// <summary>HOCON <c>send-and-forget</c>: a batch is done once handed to the consumer; failures are only logged by the consumer.</summary>
    SendAndForget,
}
