using Pipeline.Models.Domain;

namespace Pipeline.Graph.Drift;

/// <summary>Receives delayed labels from the <c>transaction-labels</c> topic; thread-safe.</summary>
public interface ILabelSink
{
    /// <summary>A delayed ground-truth label.</summary>
    void OnLabel(TransactionLabel label);
}
