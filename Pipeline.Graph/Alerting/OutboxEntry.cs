using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting;

/// <summary>One claimed outbox row: an alert to deliver on one channel, leased to the claiming stream.</summary>
/// <param name="Seq">Insertion order of the row (delivery order per account).</param>
/// <param name="Channel">The channel the row is for.</param>
/// <param name="Alert">The alert.</param>
/// <param name="Attempts">Failed attempts so far.</param>
/// <param name="LeaseUntil">When the claim ends; after it any stream may claim the row again.</param>
public sealed record OutboxEntry(long Seq, string Channel, Alert Alert, int Attempts, DateTimeOffset LeaseUntil);
