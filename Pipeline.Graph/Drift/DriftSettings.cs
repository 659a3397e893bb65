using Akka.Configuration;
using Pipeline.Graph.Scoring.Internal;
using Pipeline.Models.Drift;

namespace Pipeline.Graph.Drift;

/// <summary>
/// Settings of the drift detectors, read from <c>pipeline.drift</c> by <see cref="Create"/> with
/// every value taken from the configuration (defaults live only in <c>hocon/reference.conf</c>).
/// Each detector has its own cooldown: after it reports a drift, further drifts of the same
/// detector and signal within the cooldown are not raised as events. Immutable: derive a variant
/// with a <c>with</c> expression.
/// </summary>
public sealed record DriftSettings
{
    /// <summary>The configuration section these settings are read from.</summary>
    public const string Section = "pipeline.drift";

    /// <summary>ADWIN parameters (<c>adwin.delta</c>, <c>adwin.clock</c>, <c>adwin.max-buckets</c>, <c>adwin.min-window-length</c>, <c>adwin.grace-period</c>).</summary>
    public required AdwinOptions Adwin { get; init; }

    /// <summary>Updates of one ADWIN signal after a drift during which its further drifts are suppressed (<c>adwin.cooldown-events</c>).</summary>
    public required long AdwinCooldownEvents { get; init; }

    /// <summary>DDM parameters (<c>ddm.warm-start</c>, <c>ddm.warning-threshold</c>, <c>ddm.drift-threshold</c>).</summary>
    public required DdmOptions Ddm { get; init; }

    /// <summary>Labelled decisions after a DDM drift during which its further drifts are suppressed (<c>ddm.cooldown-events</c>).</summary>
    public required long DdmCooldownEvents { get; init; }

    /// <summary>Reads <c>pipeline.drift</c> from <paramref name="config"/> (the whole configuration, not the section).</summary>
    /// <exception cref="ConfigurationException">A key is missing or invalid; the message names the key, the value and the allowed range.</exception>
    public static DriftSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string a = Section + ".adwin";
        const string d = Section + ".ddm";
        var drift = StrictConfig.Double(config, $"{d}.drift-threshold", 0, 100, minExclusive: true);
        return new DriftSettings
        {
            Adwin = new AdwinOptions
            {
                Delta = StrictConfig.Double(config, $"{a}.delta", 0, 1, minExclusive: true, maxExclusive: true),
                Clock = StrictConfig.Int(config, $"{a}.clock", 1, 1_000_000),
                MaxBuckets = StrictConfig.Int(config, $"{a}.max-buckets", 2, AdwinOptions.MaxBucketsLimit),
                MinWindowLength = StrictConfig.Int(config, $"{a}.min-window-length", 1, 1_000_000),
                GracePeriod = StrictConfig.Int(config, $"{a}.grace-period", 0, 100_000_000),
            },
            AdwinCooldownEvents = StrictConfig.Long(config, $"{a}.cooldown-events", 0, long.MaxValue),
            Ddm = new DdmOptions
            {
                WarmStart = StrictConfig.Int(config, $"{d}.warm-start", 0, 100_000_000),
                DriftThreshold = drift,
                WarningThreshold = StrictConfig.Double(config, $"{d}.warning-threshold", 0, drift, minExclusive: true),
            },
            DdmCooldownEvents = StrictConfig.Long(config, $"{d}.cooldown-events", 0, long.MaxValue),
        };
    }

    /// <summary>A fresh ADWIN detector with these parameters.</summary>
    public Adwin CreateAdwin() => new(Adwin);

    /// <summary>A fresh DDM detector with these parameters.</summary>
    public Ddm CreateDdm() => new(Ddm);
}
