using Pipeline.Graph.Kafka;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Ingest;

/// <summary>A record that was rejected; it is stored in quarantine and its offset still commits.</summary>
public sealed record QuarantinedRecord(CommittableOffset Offset, DateTimeOffset ReceivedAt, QuarantineEntry Entry)
    : PipelineElement(Offset, ReceivedAt);
