using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Models.Domain;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Windows;

/// <summary>A transaction with its account features, on its way to scoring.</summary>
/// <param name="Offset">The source record's offset.</param>
/// <param name="ReceivedAt">When the pipeline read the record.</param>
/// <param name="Transaction">The transaction.</param>
/// <param name="Features">Its features against the account's state.</param>
/// <param name="Late">The event time lay beyond the allowed lateness (same as <see cref="AccountFeatures.Late"/>).</param>
public sealed record FeaturedTransaction(CommittableOffset Offset, DateTimeOffset ReceivedAt, Transaction Transaction, AccountFeatures Features, bool Late)
    : PipelineElement(Offset, ReceivedAt);
