using Pipeline.Models.Anomaly;

namespace Pipeline.Models.Alerting;

/// <summary>The last alert raised for one <see cref="CooldownKey"/>: one row of <c>alert_cooldowns</c>.</summary>
/// <param name="LastEventTime">Event time of that alert's transaction.</param>
/// <param name="Severity">Its severity (a higher one may break through the cooldown).</param>
/// <param name="AlertId">Its id (a replay of the same alert is never suppressed by its own entry).</param>
public sealed record CooldownEntry(DateTimeOffset LastEventTime, Severity Severity, Guid AlertId);
