using Pipeline.Graph.Kafka;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// A record the pipeline decided to skip (for example a duplicate transaction): it produces no row and
/// no alert, and passes through every later stage only so that its offset commits in order.
/// </summary>
/// <param name="Offset">The source record's committable offset.</param>
/// <param name="ReceivedAt">When the pipeline read the record.</param>
/// <param name="Reason">Why it was skipped, a stable snake_case code such as <c>duplicate</c>.</param>
/// <param name="TransactionId">The transaction id of the skipped record.</param>
public sealed record SkippedRecord(CommittableOffset Offset, DateTimeOffset ReceivedAt, string Reason, string TransactionId)
    : PipelineElement(Offset, ReceivedAt)
{
    /// <summary>The reason of a record whose transaction id was already processed from another record.</summary>
    public const string Duplicate = "duplicate";
}
