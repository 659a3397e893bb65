using Akka.Actor;

namespace Pipeline.Graph.Retraining;

/// <summary>Messages between the model registry and the retraining actor.</summary>
public static class RetrainingProtocol
{
    /// <summary>Train a candidate from <paramref name="BaseModel"/> on the recent sample; answer <paramref name="ReplyTo"/>.</summary>
    public sealed record TrainCandidate(long BaseVersion, byte[] BaseModel, string Reason, IActorRef ReplyTo);

    /// <summary>A candidate trained from <paramref name="BaseVersion"/>.</summary>
    public sealed record CandidateReady(long BaseVersion, string Reason, byte[] Model, long LearnCount, int SampleSize);

    /// <summary>Training from <paramref name="BaseVersion"/> failed or timed out.</summary>
    public sealed record TrainingFailed(long BaseVersion, string Reason, string Error);
}
