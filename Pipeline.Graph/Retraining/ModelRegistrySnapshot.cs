namespace Pipeline.Graph.Retraining;

/// <summary>
/// The registry's snapshot: every version's metadata and the bytes of the active model and of the
/// retained recent versions (for promotion and rollback).
/// </summary>
/// <param name="LastVersion">The highest version number issued.</param>
/// <param name="ActiveVersion">The active version (0 when none).</param>
/// <param name="Versions">Every version, oldest first.</param>
/// <param name="ModelVersions">Versions whose bytes are in <paramref name="Models"/>, index for index.</param>
/// <param name="Models">Serialized models (<c>TransactionAnomalyModel.WriteTo</c>).</param>
public sealed record ModelRegistrySnapshot(long LastVersion, long ActiveVersion, ModelVersionInfo[] Versions, long[] ModelVersions, byte[][] Models);
