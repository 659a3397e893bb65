using Pipeline.Models.Features;

namespace Pipeline.Graph.Windows;

/// <summary>One account's state on its way to the feature store.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Position">The last record applied to <paramref name="State"/>: stores refuse to overwrite a checkpoint that is further along on the same partition.</param>
/// <param name="State">
/// The <see cref="AccountState.ToBytes"/> snapshot. It may be a slice of a buffer the caller reuses
/// once <see cref="IFeatureStateStore.SaveAsync"/> has completed: a store that keeps the bytes
/// copies them before its task completes, and never reads them after.
/// </param>
public sealed record FeatureCheckpoint(string AccountId, RecordPosition Position, ReadOnlyMemory<byte> State);
