using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// What <see cref="ModelSwapFlow"/> reports, called on the stream's thread: implementations must
/// only hand the data off (e.g. <c>Tell</c> an actor), never block.
/// </summary>
public interface IScoringLifecycleListener
{
    /// <summary>The live model of <paramref name="version"/> learned up to <paramref name="learnCount"/>; <paramref name="model"/> holds its bytes.</summary>
    void OnCheckpoint(long version, byte[] model, long learnCount);

    /// <summary>
    /// Candidate <paramref name="version"/> is now scored beside the live model, from the next transaction on, for
    /// <paramref name="events"/> transactions. Nothing by default.
    /// </summary>
    void OnShadowStarted(long version, int events)
    {
    }

    /// <summary>The shadow evaluation of candidate <paramref name="version"/> ended.</summary>
    void OnShadowCompleted(long version, ShadowEvaluation evaluation);
}
