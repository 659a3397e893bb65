using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Retraining;

/// <summary>The events the model registry persists in its journal (persistence id "model-registry").</summary>
public static class ModelRegistryEvents
{
    /// <summary>Base of every registry event.</summary>
    public abstract record Event(DateTimeOffset At);

    /// <summary>A retrain was asked for (by a drift event or a command) from the active version.</summary>
    public sealed record RetrainRequested(string Reason, long BaseVersion, DateTimeOffset At) : Event(At);

    /// <summary>A candidate was trained and given <paramref name="Version"/>; it holds the model bytes.</summary>
    public sealed record CandidateTrained(long Version, long BaseVersion, string Reason, byte[] Model, long LearnCount, int SampleSize, DateTimeOffset At) : Event(At);

    /// <summary>A candidate's shadow evaluation ended with these numbers and this decision.</summary>
    public sealed record CandidateEvaluated(long Version, ShadowEvaluation Evaluation, DateTimeOffset At) : Event(At);

    /// <summary>
    /// A version became active. <paramref name="Model"/> carries the bytes when the version is new
    /// to the registry (the initial model); a promoted candidate's bytes are in its CandidateTrained.
    /// </summary>
    public sealed record Promoted(long Version, string Trigger, byte[]? Model, long LearnCount, DateTimeOffset At) : Event(At);

    /// <summary>A candidate was judged worse and will never score live.</summary>
    public sealed record Rejected(long Version, string Reason, DateTimeOffset At) : Event(At);

    /// <summary>
    /// An earlier version's model was restored as the new active version <paramref name="Version"/>
    /// (versions stay monotonic: a rollback creates a new version holding the earlier bytes).
    /// </summary>
    public sealed record RolledBack(long Version, long ToVersion, byte[] Model, long LearnCount, DateTimeOffset At) : Event(At);

    /// <summary>The live model's learned state of the active <paramref name="Version"/> was stored.</summary>
    public sealed record Checkpointed(long Version, byte[] Model, long LearnCount, DateTimeOffset At) : Event(At);
}
