using System.Globalization;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// One record's claim on a transaction id: "the transaction <see cref="TransactionId"/> is processed from
/// the record at <see cref="Topic"/>/<see cref="Partition"/>/<see cref="Offset"/>". The first claim on an id
/// wins; a later claim from the same coordinates (the same record delivered again after a crash or a
/// rebalance) is not a duplicate, a claim from other coordinates is.
/// </summary>
/// <param name="TransactionId">The transaction id (a UUID; the decoder guarantees the canonical form).</param>
/// <param name="Topic">Source topic of the claiming record.</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Offset">Its offset.</param>
public readonly record struct DedupeClaim(Guid TransactionId, string Topic, int Partition, long Offset)
{
    /// <summary>The claiming record's coordinates as one text, <c>topic/partition/offset</c> (what Redis stores).</summary>
    public string Coordinates => string.Create(CultureInfo.InvariantCulture, $"{Topic}/{Partition}/{Offset}");
}
