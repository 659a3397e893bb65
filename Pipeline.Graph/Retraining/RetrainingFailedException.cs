namespace Pipeline.Graph.Retraining;

/// <summary>A training failed or timed out; the retraining actor crashes with it so its supervisor restarts it.</summary>
public sealed class RetrainingFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RetrainingFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
