namespace Pipeline.Host.Inspector;

/// <summary>One model version as the registry describes it.</summary>
/// <param name="Version">The version id.</param>
/// <param name="Status">e.g. <c>active</c>, <c>candidate</c>, <c>retired</c>.</param>
/// <param name="CreatedAt">When it was trained.</param>
/// <param name="Metrics">Evaluation figures (e.g. <c>pr_auc</c>), possibly empty.</param>
public sealed record ModelVersionInfo(string Version, string Status, DateTimeOffset CreatedAt, IReadOnlyDictionary<string, double> Metrics);
