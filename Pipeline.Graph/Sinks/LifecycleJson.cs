using System.Text.Json;
using Pipeline.Graph.Retraining;

namespace Pipeline.Graph.Sinks;

/// <summary>The <c>metrics</c> column of <c>model_versions</c>: lineage, learning and the shadow evaluation's numbers.</summary>
internal static class LifecycleJson
{
    internal static string Metrics(ModelVersionInfo version) => JsonSerializer.Serialize(new
    {
        base_version = version.BaseVersion,
        learned = version.LearnCount,
        promoted_at = version.PromotedAt,
        checkpointed_at = version.CheckpointedAt,
        evaluation = version.Evaluation,
    });
}
