using Pipeline.Models.Domain;

namespace Pipeline.Graph.Scoring;

/// <summary>
/// The scoring seam: score a transaction with the current model, then let the model learn it
/// (score before learn, DESIGN §1). Implementations are stateful and called from one stage only,
/// so they need no locking.
/// </summary>
public interface ITransactionScorer
{
    /// <summary>The version of the model scoring now; recorded on every row.</summary>
    string ModelVersion { get; }

    /// <summary>Scores <paramref name="transaction"/>, then learns it.</summary>
    ScoredTransaction ScoreThenLearn(Transaction transaction);
}
