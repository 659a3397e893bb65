using Pipeline.Models.Anomaly;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// The materialized handle of <see cref="ModelSwapFlow"/>: thread-safe, callable from any thread
/// (an actor, a Kafka consumer). Each call is applied by the stage between two elements.
/// </summary>
public interface IModelSwapHandle
{
    /// <summary>Swaps <paramref name="model"/> in as <paramref name="version"/>, unless the stage already runs this or a later version.</summary>
    void Offer(TransactionAnomalyModel model, long version);

    /// <summary>Starts shadow-scoring <paramref name="candidate"/> (version <paramref name="version"/>) alongside the active model.</summary>
    void BeginShadow(TransactionAnomalyModel candidate, long version);

    /// <summary>A delayed label, joined to the shadow evaluation when it covers the transaction.</summary>
    void OnLabel(TransactionLabel label);
}
