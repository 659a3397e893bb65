using Pipeline.Models.Anomaly.Rules;
using Pipeline.Models.Domain;
using Pipeline.Models.Features;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// The deployable model: account features → signed-log transform → scaler → Half-Space Trees,
/// blended with the rules and the account z-score, judged by an adaptive threshold, explained by
/// the features that deviate most from their running baseline and by the rules that fired.
/// <para>
/// Score before learn: <see cref="ScoreThenLearn"/> scores with the current state, then learns.
/// HST sees only scaled features in [0, 1], never raw amounts (heavy-tailed features are
/// log-transformed first so a single huge amount does not flatten the scale for everyone).
/// Cost per call: one HST score and learn (O(trees × height)), the rules, and a few small
/// allocations for the decision. Not thread-safe: one stage owns an instance.
/// </para>
/// <para>
/// <see cref="WriteTo"/> persists the learned state (HST, scaler, baseline, threshold) in a
/// versioned format; <see cref="ReadFrom"/> restores it against a configuration, and the restored
/// model scores and learns exactly like the original would have.
/// </para>
/// </summary>
public sealed class TransactionAnomalyModel
{
    private const uint Magic = 0x4C444D54; // "TMDL"
    private const byte FormatVersion = 1;

    // Signed logs of 0..4095, the values small whole-number features take (see SignedLog).
    private static readonly double[] SmallWholeLogs = Enumerable.Range(0, 4096).Select(k => ComputeSignedLog(k)).ToArray();

    private readonly HalfSpaceTrees _trees;
    private readonly IFeatureScaler _scaler;
    private readonly FeatureBaseline _baseline;
    private readonly AdaptiveThreshold _threshold;
    private readonly RuleSet _rules;
    private readonly EnsembleScorer _ensemble;
    private readonly SeverityBuckets _severity;
    private readonly double[] _raw;
    private readonly double[] _scaled;
    private readonly List<RuleFiring> _firings = [];

    /// <summary>A fresh model over <paramref name="featureNames"/> (the order of <see cref="AccountFeatures.WriteTo"/>).</summary>
    public TransactionAnomalyModel(
        IReadOnlyList<string> featureNames,
        HalfSpaceTreesOptions trees,
        IFeatureScaler scaler,
        FeatureBaseline baseline,
        AdaptiveThreshold threshold,
        TransactionModelConfiguration configuration)
        : this(featureNames, new HalfSpaceTrees(trees with { Features = featureNames }), scaler, baseline, threshold, configuration)
    {
    }

    private TransactionAnomalyModel(
        IReadOnlyList<string> featureNames,
        HalfSpaceTrees trees,
        IFeatureScaler scaler,
        FeatureBaseline baseline,
        AdaptiveThreshold threshold,
        TransactionModelConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        if (scaler.FeatureCount != featureNames.Count)
        {
            throw new ArgumentException($"the scaler has {scaler.FeatureCount} features, the model {featureNames.Count}", nameof(scaler));
        }

        FeatureNames = featureNames.ToArray();
        Configuration = configuration;
        _trees = trees;
        _scaler = scaler;
        _baseline = baseline;
        _threshold = threshold;
        _rules = RuleSet.FromOptions(configuration.Rules);
        _ensemble = new EnsembleScorer(configuration.Ensemble);
        _severity = new SeverityBuckets(configuration.Severity.Medium, configuration.Severity.High, configuration.Severity.Critical);
        _raw = new double[featureNames.Count];
        _scaled = new double[featureNames.Count];
    }

    /// <summary>Feature names in model order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The configuration the model runs under.</summary>
    public TransactionModelConfiguration Configuration { get; }

    /// <summary>Transactions learned so far.</summary>
    public long LearnCount => _trees.LearnCount;

    /// <summary>The alert threshold in force now.</summary>
    public double Threshold => _threshold.Threshold;

    /// <summary>Scores <paramref name="transaction"/> with the current state, then learns it.</summary>
    public ModelDecision ScoreThenLearn(Transaction transaction, AccountFeatures features)
    {
        // The trees score and learn in one walk inside Score; the scaler and the baseline learn here.
        var decision = Score(transaction, features, judge: true);
        _scaler.Learn(_raw);
        _baseline.Learn(_scaled);
        return decision;
    }

    /// <summary>
    /// Scores without learning and without counting towards the threshold's interval: for shadow
    /// evaluation of a candidate and for replays into a separate result set.
    /// </summary>
    public ModelDecision ScoreOnly(Transaction transaction, AccountFeatures features) => Score(transaction, features, judge: false);

    /// <summary>Writes the learned state.</summary>
    public void WriteTo(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(FeatureNames.Count);
        foreach (var name in FeatureNames) writer.Write(name);
        writer.Flush();
        _trees.WriteTo(stream);
        _scaler.WriteTo(stream);
        _baseline.WriteTo(stream);
        _threshold.WriteTo(stream);
    }

    /// <summary>Restores a model written by <see cref="WriteTo"/> under <paramref name="configuration"/>.</summary>
    /// <exception cref="InvalidDataException">Not a model, an unknown version, or a truncated payload.</exception>
    public static TransactionAnomalyModel ReadFrom(Stream stream, TransactionModelConfiguration configuration)
    {
        try
        {
            using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            if (reader.ReadUInt32() != Magic) throw new InvalidDataException("not a transaction model snapshot");
            var version = reader.ReadByte();
            if (version != FormatVersion) throw new InvalidDataException($"transaction model format version {version} is not supported (expected {FormatVersion})");
            var count = reader.ReadInt32();
            if (count is < 1 or > HalfSpaceTreesOptions.MaxFeatures) throw new InvalidDataException($"feature count {count} is out of range");
            var names = new string[count];
            for (var i = 0; i < count; i++) names[i] = reader.ReadString();
            var trees = HalfSpaceTrees.ReadFrom(stream);
            var scaler = IFeatureScaler.ReadFrom(stream);
            var baseline = FeatureBaseline.ReadFrom(stream);
            var threshold = AdaptiveThreshold.ReadFrom(stream);
            return new TransactionAnomalyModel(names, trees, scaler, baseline, threshold, configuration);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("transaction model snapshot is truncated", ex);
        }
    }

    /// <summary>A deep copy (through the snapshot format): the starting point of a retrained candidate.</summary>
    public TransactionAnomalyModel Clone()
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer);
        buffer.Position = 0;
        return ReadFrom(buffer, Configuration);
    }

    private ModelDecision Score(Transaction transaction, AccountFeatures features, bool judge)
    {
        features.WriteTo(_raw);
        for (var i = 0; i < _raw.Length; i++) _raw[i] = SignedLog(_raw[i]);
        _raw.CopyTo(_scaled, 0);
        _scaler.Transform(_scaled);
        // When judging (score then learn) the trees learn this transaction in the same walk: nothing
        // below reads the trees, so the decision is the one a separate learn afterwards would give.
        var hst = judge ? _trees.ScoreThenLearnOne(_scaled) : _trees.ScoreOne(_scaled);

        _firings.Clear();
        var context = features.ToRuleContext(transaction, Configuration.VelocityWindow);
        _rules.Evaluate(context, _firings);
        var blended = _ensemble.Score(hst, _firings, features.AmountZScore);
        var threshold = _threshold.Threshold;
        var isAnomaly = judge ? _threshold.Evaluate(blended.Total) : blended.Total > threshold;
        var severity = _severity.Classify(blended.Total);

        if (!isAnomaly)
        {
            var reasons = _firings.Count == 0 ? Array.Empty<string>() : new string[_firings.Count];
            for (var i = 0; i < reasons.Length; i++) reasons[i] = _firings[i].ReasonCode;
            return new ModelDecision(blended.Total, blended, false, severity, threshold, reasons, null);
        }

        var explanation = Explanation.Create(FeatureNames, _scaled, _baseline.Means, Configuration.ExplanationTopK, _firings);
        var all = new List<string>(_firings.Count + explanation.TopFeatures.Count);
        foreach (var f in _firings) all.Add(f.ReasonCode);
        foreach (var d in explanation.TopFeatures) all.Add("feature:" + d.Name);
        return new ModelDecision(blended.Total, blended, true, severity, threshold, all, explanation);
    }

    // Amounts, sums and gaps are heavy-tailed; a signed log keeps their order and sign while
    // compressing the tail, so min-max scaling keeps resolution where most transactions are.
    // Half the features are small whole numbers (counts, distinct counts, flags, the hour): they take
    // the same value from a table instead of a logarithm each.
    private static double SignedLog(double x)
    {
        if (x >= 0 && x < SmallWholeLogs.Length && x == (int)x) return SmallWholeLogs[(int)x];
        return ComputeSignedLog(x);
    }

    private static double ComputeSignedLog(double x) => double.IsNaN(x) ? x : Math.Sign(x) * Math.Log(1 + Math.Abs(x));
}
