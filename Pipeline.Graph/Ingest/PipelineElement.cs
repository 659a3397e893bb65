using Pipeline.Graph.Kafka;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// What flows through the graph for one Kafka record. Every element carries the record's offset,
/// so that accepted, quarantined and skipped records alike commit in order once their effect is
/// durable (DESIGN §1).
/// </summary>
/// <param name="Offset">The source record's committable offset.</param>
/// <param name="ReceivedAt">When the pipeline read the record (for end-to-end latency).</param>
public abstract record PipelineElement(CommittableOffset Offset, DateTimeOffset ReceivedAt);
