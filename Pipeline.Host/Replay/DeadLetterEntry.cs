namespace Pipeline.Host.Replay;

/// <summary>
/// One record of the dead-letter topic: where it sits, why it was rejected (from its headers, see
/// <see cref="Graph.Ingest.DeadLetterFlow"/>), and its original key and value bytes. The bytes may
/// hold PII in clear: print the metadata, never <see cref="Key"/> or <see cref="Value"/>.
/// </summary>
/// <param name="Partition">Its partition in the dead-letter topic.</param>
/// <param name="Offset">Its offset in the dead-letter topic.</param>
/// <param name="ReceivedAt">When the pipeline read the original record.</param>
/// <param name="Stage">The stage that rejected it: decode, schema or rule.</param>
/// <param name="Reason">The reason code.</param>
/// <param name="Detail">The human explanation (names at most a contract field, never a value).</param>
/// <param name="SourceTopic">The original topic.</param>
/// <param name="SourcePartition">The original partition.</param>
/// <param name="SourceOffset">The original offset.</param>
/// <param name="TruncatedFrom">The original length when the dead-letter copy had to be cut (it cannot be re-driven), else null.</param>
public sealed record DeadLetterEntry(
    int Partition,
    long Offset,
    DateTimeOffset ReceivedAt,
    string Stage,
    string Reason,
    string Detail,
    string SourceTopic,
    int SourcePartition,
    long SourceOffset,
    long? TruncatedFrom)
{
    /// <summary>The original key bytes (the account id), or null.</summary>
    public byte[]? Key { get; init; }

    /// <summary>The original value bytes (cut when <see cref="TruncatedFrom"/> is set). May hold PII: never print.</summary>
    public byte[] Value { get; init; } = [];

    /// <summary>True when <see cref="Value"/> is the whole original record, so re-driving it is exact.</summary>
    public bool Exact => TruncatedFrom is null;
}
