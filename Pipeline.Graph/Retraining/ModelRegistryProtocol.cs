using Akka.Actor;
using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Retraining;

/// <summary>Commands the model registry answers, its replies, and what it publishes to subscribers.</summary>
public static class ModelRegistryProtocol
{
    /// <summary>
    /// Makes <paramref name="Model"/> version 1 when the registry holds no model yet; either way the
    /// reply is the <see cref="ActiveModel"/> the scoring stage must start with.
    /// </summary>
    public sealed record Bootstrap(byte[] Model, long LearnCount);

    /// <summary>Asks for the active model: reply <see cref="ActiveModel"/> or <see cref="NoActiveModel"/>.</summary>
    public sealed record GetActive
    {
        /// <summary>The single instance.</summary>
        public static readonly GetActive Instance = new();
    }

    /// <summary>Asks for every version, oldest first: reply <see cref="History"/>.</summary>
    public sealed record GetHistory
    {
        /// <summary>The single instance.</summary>
        public static readonly GetHistory Instance = new();
    }

    /// <summary>Asks for a candidate trained from the active model: reply <see cref="RetrainAccepted"/> or <see cref="Refused"/>.</summary>
    public sealed record RequestRetrain(string Reason);

    /// <summary>Makes a later candidate active: reply <see cref="ActiveModel"/> or <see cref="Refused"/>.</summary>
    public sealed record Promote(long Version);

    /// <summary>Restores an earlier version's model as a new active version: reply <see cref="ActiveModel"/> or <see cref="Refused"/>.</summary>
    public sealed record Rollback(long ToVersion);

    /// <summary>
    /// Stores the live model's state, only if <paramref name="BaseVersion"/> is still the active
    /// version (compare-and-set): reply <see cref="CheckpointAccepted"/> or <see cref="Refused"/>.
    /// </summary>
    public sealed record Checkpoint(long BaseVersion, byte[] Model, long LearnCount);

    /// <summary>The result of a candidate's shadow evaluation (sent by the scoring stage's bridge): reply <see cref="Refused"/> or nothing.</summary>
    public sealed record SubmitEvaluation(long Version, ShadowEvaluation Evaluation);

    /// <summary>
    /// Registers <paramref name="Subscriber"/> for <see cref="ModelPromoted"/>, <see cref="ShadowRequested"/>
    /// and <see cref="VersionUpdated"/>; it is sent the active model and any pending shadow request at once.
    /// </summary>
    public sealed record Subscribe(IActorRef Subscriber);

    /// <summary>The active model.</summary>
    public sealed record ActiveModel(long Version, byte[] Model, ModelVersionInfo Info);

    /// <summary>The registry holds no model yet.</summary>
    public sealed record NoActiveModel
    {
        /// <summary>The single instance.</summary>
        public static readonly NoActiveModel Instance = new();
    }

    /// <summary>Every version, oldest first.</summary>
    public sealed record History(IReadOnlyList<ModelVersionInfo> Versions);

    /// <summary>A retrain was requested from <paramref name="BaseVersion"/>.</summary>
    public sealed record RetrainAccepted(long BaseVersion);

    /// <summary>A checkpoint of the active version was stored.</summary>
    public sealed record CheckpointAccepted(long Version, long LearnCount);

    /// <summary>A command was refused, with the reason.</summary>
    public sealed record Refused(string Reason);

    /// <summary>Published: <paramref name="Version"/> is now active; scoring stages swap to it.</summary>
    public sealed record ModelPromoted(long Version, byte[] Model, string Trigger);

    /// <summary>Published after every journaled change of a version (new, evaluated, promoted, retired, rejected, checkpointed): a <c>model_versions</c> upsert.</summary>
    public sealed record VersionUpdated(ModelVersionInfo Info);

    /// <summary>Published: shadow-score <paramref name="Version"/> for the configured number of events.</summary>
    public sealed record ShadowRequested(long Version, byte[] Model);
}
