using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Scoring;

/// <summary>A transaction with its score, on its way to the store.</summary>
public sealed record ScoredElement(CommittableOffset Offset, DateTimeOffset ReceivedAt, ScoredTransaction Scored)
    : PipelineElement(Offset, ReceivedAt);
