using Pipeline.Models.Domain;
using Pipeline.Models.Features;

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

    /// <summary>Scores <paramref name="transaction"/> with its account <paramref name="features"/>, then learns it.</summary>
    /// <param name="transaction">The validated transaction.</param>
    /// <param name="features">Its account-window features.</param>
    /// <param name="late">True when the event arrived later than the allowed lateness (recorded on the row).</param>
    ScoredTransaction ScoreThenLearn(Transaction transaction, AccountFeatures features, bool late);
}
