using Akka.Actor;
using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Retraining;

/// <summary>Forwards the scoring stage's checkpoints and shadow results to the model registry (a <c>Tell</c>, never blocking).</summary>
public sealed class RegistryLifecycleListener : IScoringLifecycleListener
{
    private readonly IActorRef _registry;

    /// <summary>Reports to <paramref name="registry"/>.</summary>
    public RegistryLifecycleListener(IActorRef registry) => _registry = registry;

    /// <inheritdoc />
    public void OnCheckpoint(long version, byte[] model, long learnCount) =>
        _registry.Tell(new ModelRegistryProtocol.Checkpoint(version, model, learnCount), ActorRefs.NoSender);

    /// <inheritdoc />
    public void OnShadowCompleted(long version, ShadowEvaluation evaluation) =>
        _registry.Tell(new ModelRegistryProtocol.SubmitEvaluation(version, evaluation), ActorRefs.NoSender);
}
