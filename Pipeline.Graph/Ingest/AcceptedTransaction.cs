using Pipeline.Graph.Kafka;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Ingest;

/// <summary>A record that decoded and validated into a <see cref="Models.Domain.Transaction"/>.</summary>
public sealed record AcceptedTransaction(CommittableOffset Offset, DateTimeOffset ReceivedAt, Transaction Transaction)
    : PipelineElement(Offset, ReceivedAt);
