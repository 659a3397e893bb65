namespace Pipeline.Host.Producing;

/// <summary>What a run of <see cref="SyntheticProducer"/> did, after its final flush.</summary>
/// <param name="SentNormal">Transactions sent from the normal phase.</param>
/// <param name="SentDrift">Transactions sent from the drift phase.</param>
/// <param name="SentAttack">Transactions sent from the attack phase.</param>
/// <param name="Anomalies">Fraudulent transactions sent.</param>
/// <param name="LabelsSent">Labels sent.</param>
/// <param name="Delivered">Messages (transactions and labels) the broker acknowledged.</param>
/// <param name="Failed">Messages whose delivery failed for good.</param>
/// <param name="QueueFullWaits">Times the client's local queue was full and the producer waited before retrying.</param>
/// <param name="Cancelled">True when the run was cancelled before the scenario ended; labels not yet due were not sent.</param>
/// <param name="FirstError">The first delivery failure or fatal client error, or null.</param>
/// <param name="Elapsed">Wall time of the run including the final flush.</param>
public sealed record ProducerSummary(
    long SentNormal,
    long SentDrift,
    long SentAttack,
    long Anomalies,
    long LabelsSent,
    long Delivered,
    long Failed,
    long QueueFullWaits,
    bool Cancelled,
    string? FirstError,
    TimeSpan Elapsed)
{
    /// <summary>Transactions sent over all phases.</summary>
    public long Sent => SentNormal + SentDrift + SentAttack;

    /// <summary>Messages neither acknowledged nor failed when the flush timeout expired.</summary>
    public long Outstanding => Sent + LabelsSent - Delivered - Failed;

    /// <summary>True when every message sent was acknowledged and no fatal error occurred.</summary>
    public bool Succeeded => Failed == 0 && Outstanding == 0 && FirstError is null;
}
