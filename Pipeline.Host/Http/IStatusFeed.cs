using Pipeline.Host.Inspector;
using Pipeline.Models.Domain;

namespace Pipeline.Host.Http;

/// <summary>
/// What the status page learns from the running graph beyond the Prometheus counters. The host
/// registers one <see cref="StatusFeed"/>; the graph (a wire tap after scoring), the drift stage and
/// the alerter call it. Calls are cheap and thread-safe; nothing is kept beyond small bounded rings.
/// </summary>
public interface IStatusFeed
{
    /// <summary>A transaction was scored (every one, anomalous or not).</summary>
    void RecordScored(ScoredTransaction scored);

    /// <summary>A drift detector fired.</summary>
    void RecordDrift(DriftEventInfo drift);
}
