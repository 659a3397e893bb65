using Pipeline.Graph.Scoring.Internal;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Domain;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Scoring;

/// <summary>
/// Scores with a <see cref="TransactionAnomalyModel"/> (HST ensemble + rules + adaptive threshold)
/// and turns its decision into a <c>scored_transactions</c> row. The row's features are the raw
/// account features by name, so an operator reads amounts and counts, not scaled values.
/// </summary>
public sealed class ModelTransactionScorer : ITransactionScorer
{
    private TransactionAnomalyModel _model;

    /// <summary>Scores with <paramref name="model"/>, recording <paramref name="version"/> on every row.</summary>
    public ModelTransactionScorer(TransactionAnomalyModel model, string version)
    {
        _model = model;
        ModelVersion = version;
    }

    /// <inheritdoc />
    public string ModelVersion { get; private set; }

    /// <summary>The model scoring now.</summary>
    public TransactionAnomalyModel Model => _model;

    /// <summary>A fresh model built from <paramref name="settings"/> over <paramref name="featureNames"/>.</summary>
    public static ModelTransactionScorer Create(ScoringSettings settings, IReadOnlyList<string> featureNames, string version = "1")
    {
        var configuration = Configuration(settings);
        var model = new TransactionAnomalyModel(
            featureNames,
            new HalfSpaceTreesOptions { Trees = settings.HstTrees, Height = settings.HstHeight, WindowSize = settings.HstWindowSize, Seed = settings.HstSeed },
            settings.CreateScaler(featureNames),
            settings.CreateBaseline(featureNames.Count),
            settings.CreateThreshold(),
            configuration);
        return new ModelTransactionScorer(model, version);
    }

    /// <summary>The configuration part of a model, from <paramref name="settings"/>.</summary>
    public static TransactionModelConfiguration Configuration(ScoringSettings settings) => new()
    {
        Rules = settings.Rules,
        Ensemble = settings.Ensemble,
        Severity = (settings.SeverityMedium, settings.SeverityHigh, settings.SeverityCritical),
        ExplanationTopK = settings.ExplanationTopK,
        VelocityWindow = settings.VelocityWindow,
    };

    /// <summary>Replaces the model between two elements (hot swap); the caller is the scoring stage itself.</summary>
    public void Swap(TransactionAnomalyModel model, string version)
    {
        _model = model;
        ModelVersion = version;
    }

    /// <inheritdoc />
    public ScoredTransaction ScoreThenLearn(Transaction transaction, AccountFeatures features, bool late)
    {
        var decision = _model.ScoreThenLearn(transaction, features);
        var row = new FeatureRow(_model.FeatureNames, features);

        return new ScoredTransaction
        {
            Timestamp = transaction.Timestamp,
            TransactionId = transaction.TransactionId,
            AccountId = transaction.AccountId,
            Amount = transaction.Amount,
            Currency = transaction.Currency,
            Score = decision.Score,
            IsAnomaly = decision.IsAnomaly,
            Severity = SeverityBuckets.WireName(decision.Severity),
            Threshold = decision.Threshold,
            ModelVersion = ModelVersion,
            Late = late,
            Features = row,
            Reasons = decision.Reasons,
        };
    }
}
