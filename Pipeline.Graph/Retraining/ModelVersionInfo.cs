using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Retraining;

/// <summary>One model version in the registry's history (mirrors a <c>model_versions</c> row).</summary>
/// <param name="Version">Monotonic version number (1, 2, …).</param>
/// <param name="Status">Where it stands now.</param>
/// <param name="Trigger">Why it exists: "initial", "retrain: &lt;reason&gt;", "rollback to N".</param>
/// <param name="BaseVersion">The version it was trained or copied from (0 for the initial model).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="PromotedAt">When it last became active, or null.</param>
/// <param name="Evaluation">Its shadow evaluation, or null.</param>
/// <param name="LearnCount">Transactions learned by its latest stored state.</param>
/// <param name="CheckpointedAt">When its latest state was checkpointed, or null.</param>
public sealed record ModelVersionInfo(
    long Version,
    ModelStatus Status,
    string Trigger,
    long BaseVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PromotedAt,
    ShadowEvaluation? Evaluation,
    long LearnCount,
    DateTimeOffset? CheckpointedAt);
