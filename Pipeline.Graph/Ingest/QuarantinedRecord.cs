using Pipeline.Graph.Kafka;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Ingest;

/// <summary>A record that was rejected; it is stored in quarantine and its offset still commits.</summary>
/// <param name="Offset">The source record's committable offset.</param>
/// <param name="ReceivedAt">When the pipeline read the record.</param>
/// <param name="Entry">The quarantine row: coordinates, stage, reason and the value bytes
/// (the original bytes until <see cref="ProtectPiiFlow"/> masks their PII).</param>
public sealed record QuarantinedRecord(CommittableOffset Offset, DateTimeOffset ReceivedAt, QuarantineEntry Entry)
    : PipelineElement(Offset, ReceivedAt)
{
    /// <summary>The source record's key bytes (the account id, UTF-8), or null when it had none; the dead-letter record keeps it.</summary>
    public byte[]? Key { get; init; }

    /// <summary>True once <see cref="ProtectPiiFlow"/> has masked the PII of <see cref="QuarantineEntry.Raw"/>.</summary>
    public bool Redacted { get; init; }
}
