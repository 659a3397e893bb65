using Pipeline.Graph.Kafka;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Ingest;

/// <summary>A record that decoded and validated into a <see cref="Models.Domain.Transaction"/>.</summary>
public sealed record AcceptedTransaction(CommittableOffset Offset, DateTimeOffset ReceivedAt, Transaction Transaction)
    : PipelineElement(Offset, ReceivedAt)
{
    /// <summary>True once <see cref="ProtectPiiFlow"/> has replaced the PII of <see cref="Transaction"/> by tokens; a second pass leaves it alone.</summary>
    public bool PiiProtected { get; init; }
}
