using Pipeline.Models.Anomaly;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Retraining.Internal;

/// <summary>A call on the swap handle, applied by the stage between two elements.</summary>
internal abstract record SwapCommand
{
    public sealed record Offer(TransactionAnomalyModel Model, long Version) : SwapCommand;

    public sealed record Shadow(TransactionAnomalyModel Candidate, long Version) : SwapCommand;

    public sealed record Label(TransactionLabel Value) : SwapCommand;
}
