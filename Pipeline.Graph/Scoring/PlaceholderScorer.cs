using Pipeline.Models.Domain;

namespace Pipeline.Graph.Scoring;

/// <summary>
/// The foundation's stand-in scorer: one feature (the amount against the account's running mean)
/// and a fixed threshold. It keeps the seam and the row shape real until the Half-Space Trees
/// ensemble replaces it. Memory grows with the number of accounts, bounded by <c>maxAccounts</c>.
/// </summary>
public sealed class PlaceholderScorer(double threshold = 0.9, int maxAccounts = 1_000_000) : ITransactionScorer
{
    private readonly Dictionary<string, (long Count, double Mean)> _accounts = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string ModelVersion => "placeholder-0";

    /// <inheritdoc />
    public ScoredTransaction ScoreThenLearn(Transaction transaction)
    {
        _accounts.TryGetValue(transaction.AccountId, out var history);
        // Ratio of this amount to the account's mean, squashed into [0, 1): 0.5 at the mean.
        var ratio = history.Count == 0 ? 1.0 : transaction.Amount / Math.Max(history.Mean, 0.01);
        var score = ratio / (1.0 + ratio);
        var isAnomaly = history.Count >= 5 && score >= threshold;
        if (history.Count > 0 || _accounts.Count < maxAccounts)
        {
            var count = history.Count + 1;
            _accounts[transaction.AccountId] = (count, history.Mean + ((transaction.Amount - history.Mean) / count));
        }

        return new ScoredTransaction
        {
            Timestamp = transaction.Timestamp,
            TransactionId = transaction.TransactionId,
            AccountId = transaction.AccountId,
            Amount = transaction.Amount,
            Currency = transaction.Currency,
            Score = score,
            IsAnomaly = isAnomaly,
            Severity = isAnomaly ? "HIGH" : "LOW",
            Threshold = threshold,
            ModelVersion = ModelVersion,
            Features = new Dictionary<string, double>(1) { ["amount_to_mean"] = ratio },
            Reasons = isAnomaly ? ["amount_far_above_account_mean"] : [],
        };
    }
}
