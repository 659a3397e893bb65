namespace Pipeline.Graph.Windows;

/// <summary>Where account window state is checkpointed (<c>pipeline.windows.store</c>).</summary>
public enum FeatureStoreKind
{
    /// <summary>In this process (<see cref="InMemoryFeatureStateStore"/>): the embedded default; survives stream restarts, not host restarts.</summary>
    Memory,

    /// <summary>Redis (<see cref="RedisFeatureStateStore"/>): survives host restarts and follows partitions across hosts.</summary>
    Redis,
}
