using Pipeline.Host.Inspector;

namespace Pipeline.Host.Http;

/// <summary>A copy of <see cref="StatusFeed"/>'s state.</summary>
/// <param name="Scored">Transactions scored.</param>
/// <param name="Anomalous">Transactions flagged.</param>
/// <param name="Histogram">Score counts in <see cref="StatusFeed.Buckets"/> equal buckets over [0, 1].</param>
/// <param name="Models">Model versions seen scoring, most recently used first.</param>
/// <param name="Anomalies">Recent flagged transactions with their reasons, newest first.</param>
/// <param name="Drift">Recent drift events, newest first.</param>
/// <param name="RegistryVersions">The registry's model versions as last published, newest first (empty when no lifecycle recorder runs).</param>
public sealed record StatusFeedSnapshot(
    long Scored,
    long Anomalous,
    IReadOnlyList<long> Histogram,
    IReadOnlyList<ModelVersionSeen> Models,
    IReadOnlyList<AlertInfo> Anomalies,
    IReadOnlyList<DriftEventInfo> Drift,
    IReadOnlyList<Pipeline.Graph.Retraining.ModelVersionInfo> RegistryVersions);
