using Akka.Configuration;
using Pipeline.Graph.Scoring.Internal;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Anomaly.Rules;

namespace Pipeline.Graph.Scoring;

/// <summary>
/// Everything the scoring stage needs: the scaler, the Half-Space Trees shape, the rules, the
/// ensemble weights, the adaptive threshold, the severity cut points and the explanations. Read
/// from <c>pipeline.scoring</c> by <see cref="Create"/>, which takes every value from the
/// configuration (defaults live only in <c>hocon/reference.conf</c>). Immutable: derive a variant
/// with a <c>with</c> expression; the <c>Create…</c> methods validate what they build.
/// </summary>
public sealed record ScoringSettings
{
    /// <summary>The configuration section these settings are read from.</summary>
    public const string Section = "pipeline.scoring";

    /// <summary>Which scaler maps features into [0, 1] (<c>scaler.kind</c>).</summary>
    public required ScalerKind ScalerKind { get; init; }

    /// <summary>Per-feature <c>(Lo, Hi)</c> for <see cref="Scoring.ScalerKind.FixedLimits"/> (<c>scaler.fixed-limits</c>); may be empty otherwise.</summary>
    public required IReadOnlyDictionary<string, (double Lo, double Hi)> FixedLimits { get; init; }

    /// <summary>Number of Half-Space Trees (<c>hst.trees</c>).</summary>
    public required int HstTrees { get; init; }

    /// <summary>Levels of split nodes per tree (<c>hst.height</c>).</summary>
    public required int HstHeight { get; init; }

    /// <summary>Learn calls per mass window (<c>hst.window-size</c>).</summary>
    public required int HstWindowSize { get; init; }

    /// <summary>Seed of the tree-building random generator (<c>hst.seed</c>).</summary>
    public required int HstSeed { get; init; }

    /// <summary>Ensemble weights and z-score squashing (<c>ensemble.*</c>).</summary>
    public required EnsembleOptions Ensemble { get; init; }

    /// <summary>Adaptive alert threshold (<c>threshold.*</c>).</summary>
    public required AdaptiveThresholdOptions Threshold { get; init; }

    /// <summary>Lowest score that is MEDIUM (<c>severity.medium</c>).</summary>
    public required double SeverityMedium { get; init; }

    /// <summary>Lowest score that is HIGH (<c>severity.high</c>).</summary>
    public required double SeverityHigh { get; init; }

    /// <summary>Lowest score that is CRITICAL (<c>severity.critical</c>).</summary>
    public required double SeverityCritical { get; init; }

    /// <summary>Features listed in an alert's explanation (<c>explanation.top-k</c>).</summary>
    public required int ExplanationTopK { get; init; }

    /// <summary>Smoothing of the explanation baseline (<c>explanation.baseline-alpha</c>).</summary>
    public required double BaselineAlpha { get; init; }

    /// <summary>Rules to run; a null entry is a disabled rule (<c>rules.*</c>).</summary>
    public required RuleSetOptions Rules { get; init; }

    /// <summary>The account window whose transaction count feeds the velocity rule (<c>rules.velocity.window</c>).</summary>
    public required TimeSpan VelocityWindow { get; init; }

    /// <summary>Reads <c>pipeline.scoring</c> from <paramref name="config"/> (the whole configuration, not the section).</summary>
    /// <exception cref="ConfigurationException">A key is missing or invalid; the message names the key, the value and the allowed range.</exception>
    public static ScoringSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string s = Section;

        var kind = StrictConfig.OneOf(config, $"{s}.scaler.kind", "online-min-max", "fixed-limits") == "fixed-limits"
            ? ScalerKind.FixedLimits
            : ScalerKind.OnlineMinMax;
        var limits = ReadLimits(config, $"{s}.scaler.fixed-limits");
        if (kind == ScalerKind.FixedLimits && limits.Count == 0)
        {
            throw StrictConfig.Invalid($"{s}.scaler.fixed-limits", "{ }", "list feature = [lo, hi] for every feature when scaler.kind = \"fixed-limits\"");
        }

        var ensemble = new EnsembleOptions
        {
            HstWeight = StrictConfig.Double(config, $"{s}.ensemble.hst-weight", 0, 1000),
            RuleWeight = StrictConfig.Double(config, $"{s}.ensemble.rule-weight", 0, 1000),
            StatisticalWeight = StrictConfig.Double(config, $"{s}.ensemble.statistical-weight", 0, 1000),
            ZScoreHalfPoint = StrictConfig.Double(config, $"{s}.ensemble.z-score-half-point", 0, 1000, minExclusive: true),
        };
        if (!(ensemble.HstWeight + ensemble.RuleWeight + ensemble.StatisticalWeight > 0))
        {
            throw StrictConfig.Invalid($"{s}.ensemble.hst-weight", ensemble.HstWeight, "at least one of hst-weight, rule-weight, statistical-weight must be positive");
        }

        var min = StrictConfig.Double(config, $"{s}.threshold.min", 0, 1);
        var max = StrictConfig.Double(config, $"{s}.threshold.max", min, 1);
        var low = StrictConfig.Double(config, $"{s}.threshold.target-alert-rate-low", 0, 1);
        var threshold = new AdaptiveThresholdOptions
        {
            Min = min,
            Max = max,
            Initial = StrictConfig.Double(config, $"{s}.threshold.initial", min, max),
            TargetRateLow = low,
            TargetRateHigh = StrictConfig.Double(config, $"{s}.threshold.target-alert-rate-high", low, 1),
            Step = StrictConfig.Double(config, $"{s}.threshold.step", 0, 1, minExclusive: true),
            IntervalEvents = StrictConfig.Int(config, $"{s}.threshold.interval-events", 1, 100_000_000),
        };

        var medium = StrictConfig.Double(config, $"{s}.severity.medium", 0, 1, minExclusive: true);
        var high = StrictConfig.Double(config, $"{s}.severity.high", medium, 1, minExclusive: true);
        var critical = StrictConfig.Double(config, $"{s}.severity.critical", high, 1, minExclusive: true);

        return new ScoringSettings
        {
            ScalerKind = kind,
            FixedLimits = limits,
            HstTrees = StrictConfig.Int(config, $"{s}.hst.trees", 1, 1000),
            HstHeight = StrictConfig.Int(config, $"{s}.hst.height", 1, 30),
            HstWindowSize = StrictConfig.Int(config, $"{s}.hst.window-size", 1, 10_000_000),
            HstSeed = StrictConfig.Int(config, $"{s}.hst.seed", int.MinValue, int.MaxValue),
            Ensemble = ensemble,
            Threshold = threshold,
            SeverityMedium = medium,
            SeverityHigh = high,
            SeverityCritical = critical,
            ExplanationTopK = StrictConfig.Int(config, $"{s}.explanation.top-k", 0, 100),
            BaselineAlpha = StrictConfig.Double(config, $"{s}.explanation.baseline-alpha", 0, 1, minExclusive: true),
            Rules = ReadRules(config, $"{s}.rules"),
            VelocityWindow = StrictConfig.Duration(config, $"{s}.rules.velocity.window", TimeSpan.FromSeconds(1), TimeSpan.FromDays(31)),
        };
    }

    /// <summary>The rule set of the enabled rules.</summary>
    public RuleSet CreateRuleSet() => RuleSet.FromOptions(Rules);

    /// <summary>The ensemble scorer.</summary>
    public EnsembleScorer CreateEnsembleScorer() => new(Ensemble);

    /// <summary>A fresh adaptive threshold at its initial value.</summary>
    public AdaptiveThreshold CreateThreshold() => new(Threshold);

    /// <summary>The severity buckets.</summary>
    public SeverityBuckets CreateSeverityBuckets() => new(SeverityMedium, SeverityHigh, SeverityCritical);

    /// <summary>An empty explanation baseline for <paramref name="featureCount"/> features.</summary>
    public FeatureBaseline CreateBaseline(int featureCount) => new(featureCount, BaselineAlpha);

    /// <summary>A fresh scaler for the features named in <paramref name="featureNames"/>, in that order.</summary>
    /// <exception cref="ConfigurationException">Fixed limits are configured but a feature has none.</exception>
    public IFeatureScaler CreateScaler(IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        if (ScalerKind == ScalerKind.OnlineMinMax)
        {
            return new OnlineMinMaxScaler(featureNames.Count);
        }

        var limits = new (double Lo, double Hi)[featureNames.Count];
        for (var i = 0; i < limits.Length; i++)
        {
            if (!FixedLimits.TryGetValue(featureNames[i], out limits[i]))
            {
                throw new ConfigurationException($"{Section}.scaler.fixed-limits has no [lo, hi] for feature \"{featureNames[i]}\"; add {featureNames[i]} = [lo, hi]");
            }
        }

        return new FixedLimitsScaler(limits);
    }

    private static Dictionary<string, (double Lo, double Hi)> ReadLimits(Config config, string key)
    {
        var result = new Dictionary<string, (double Lo, double Hi)>(StringComparer.Ordinal);
        foreach (var (name, value) in StrictConfig.Object(config, key))
        {
            IList<double>? pair = null;
            try
            {
                pair = value.IsArray() ? value.GetDoubleList() : null;
            }
            catch (Exception e) when (e is FormatException or ConfigurationException)
            {
                pair = null;
            }

            if (pair is not { Count: 2 } || !double.IsFinite(pair[0]) || !double.IsFinite(pair[1]) || !(pair[0] < pair[1]))
            {
                throw StrictConfig.Invalid($"{key}.{name}", value.ToString(), "expected [lo, hi] with finite lo < hi");
            }

            result[name] = (pair[0], pair[1]);
        }

        return result;
    }

    private static RuleSetOptions ReadRules(Config config, string r)
    {
        var above = AmountRule(config, $"{r}.amount-above");
        var below = AmountRule(config, $"{r}.amount-below");
        var deviation = new DeviationRuleOptions
        {
            MinZScore = StrictConfig.Double(config, $"{r}.deviation.min-z-score", 0, 1000, minExclusive: true),
            MinSampleCount = StrictConfig.Long(config, $"{r}.deviation.min-samples", 2, int.MaxValue),
            MinStdDev = StrictConfig.Double(config, $"{r}.deviation.min-std-dev", 0, double.MaxValue, minExclusive: true),
            Weight = Weight(config, $"{r}.deviation"),
        };
        var velocity = new VelocityRuleOptions
        {
            MaxCount = StrictConfig.Int(config, $"{r}.velocity.max-count", 1, int.MaxValue),
            Weight = Weight(config, $"{r}.velocity"),
        };

        return new RuleSetOptions
        {
            AmountAbove = Enabled(config, $"{r}.amount-above") ? above : null,
            AmountBelow = Enabled(config, $"{r}.amount-below") ? below : null,
            Deviation = Enabled(config, $"{r}.deviation") ? deviation : null,
            Velocity = Enabled(config, $"{r}.velocity") ? velocity : null,
            NewCountry = NoveltyRule(config, $"{r}.new-country"),
            NewMerchant = NoveltyRule(config, $"{r}.new-merchant"),
            NewDevice = NoveltyRule(config, $"{r}.new-device"),
        };
    }

    private static AmountThresholdRuleOptions AmountRule(Config config, string key) => new()
    {
        Threshold = StrictConfig.Double(config, $"{key}.threshold", 0, double.MaxValue, minExclusive: true),
        Weight = Weight(config, key),
    };

    private static NoveltyRuleOptions? NoveltyRule(Config config, string key)
    {
        var options = new NoveltyRuleOptions
        {
            MinHistoryCount = StrictConfig.Long(config, $"{key}.min-history", 1, int.MaxValue),
            Weight = Weight(config, key),
        };
        return Enabled(config, key) ? options : null;
    }

    private static bool Enabled(Config config, string key) => StrictConfig.Bool(config, $"{key}.enabled");

    private static double Weight(Config config, string key) => StrictConfig.Double(config, $"{key}.weight", 0, 1);
}
