using Pipeline.Models.Anomaly;
using Pipeline.Models.Domain;
using Pipeline.Models.Features;

namespace Pipeline.Models.Lifecycle;

/// <summary>
/// Builds a retrained candidate: a copy of the active model that learns a recent sample, so its
/// mass profiles, scaler and baseline move towards the traffic seen since the drift.
/// Cost: one score-and-learn per sample entry. Pure: the active model is never touched.
/// </summary>
public static class CandidateTrainer
{
    /// <summary>
    /// Restores the active model from <paramref name="activeModel"/>, learns every entry of
    /// <paramref name="sample"/> in order and returns the candidate's snapshot bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">The active model bytes are not a model snapshot.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked every 256 entries).</exception>
    public static byte[] Train(
        byte[] activeModel,
        TransactionModelConfiguration configuration,
        IReadOnlyList<(Transaction Transaction, AccountFeatures Features)> sample,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activeModel);
        ArgumentNullException.ThrowIfNull(sample);
        using var input = new MemoryStream(activeModel, writable: false);
        var candidate = TransactionAnomalyModel.ReadFrom(input, configuration);
        for (var i = 0; i < sample.Count; i++)
        {
            if ((i & 0xFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            candidate.ScoreThenLearn(sample[i].Transaction, sample[i].Features);
        }

        using var output = new MemoryStream();
        candidate.WriteTo(output);
        return output.ToArray();
    }
}
