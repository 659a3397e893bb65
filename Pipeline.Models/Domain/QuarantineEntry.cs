namespace Pipeline.Models.Domain;

/// <summary>
/// A record that could not be accepted, kept with its original bytes so nothing is lost
/// (DESIGN §3.4 <c>quarantine</c>). <see cref="Detail"/> never holds PII.
/// </summary>
/// <param name="ReceivedAt">When the pipeline read the record.</param>
/// <param name="Topic">Source topic.</param>
/// <param name="Partition">Source partition.</param>
/// <param name="Offset">Source offset.</param>
/// <param name="Stage">Which stage rejected it: <c>decode</c>, <c>schema</c> or <c>rule</c>.</param>
/// <param name="Reason">Stable snake_case reason code.</param>
/// <param name="Detail">A short human explanation.</param>
/// <param name="Raw">The original value bytes.</param>
public sealed record QuarantineEntry(
    DateTimeOffset ReceivedAt,
    string Topic,
    int Partition,
    long Offset,
    string Stage,
    string Reason,
    string Detail,
    ReadOnlyMemory<byte> Raw);
