using Akka.Configuration;
using Pipeline.Graph.Configuration;
using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// Settings of the model lifecycle (HOCON <c>pipeline.lifecycle</c>): the retraining sample,
/// training timeout and backoff, shadow evaluation, checkpoints, the registry's snapshots, and the
/// drift stage's label memory. Every key is read from configuration; defaults live only in
/// <c>hocon/reference.conf</c>.
/// </summary>
public sealed record LifecycleSettings
{
    /// <summary>The HOCON path of the block.</summary>
    public const string Section = "pipeline.lifecycle";

    /// <summary>Recent transactions kept for retraining (<c>sample-size</c>).</summary>
    public required int SampleSize { get; init; }

    /// <summary>Longest one training may run before it is abandoned and the actor restarted (<c>training-timeout</c>).</summary>
    public required TimeSpan TrainingTimeout { get; init; }

    /// <summary>First restart delay of the retraining actor (<c>backoff.min</c>).</summary>
    public required TimeSpan BackoffMin { get; init; }

    /// <summary>Cap of the restart delay (<c>backoff.max</c>).</summary>
    public required TimeSpan BackoffMax { get; init; }

    /// <summary>Jitter of the restart delay as a fraction (<c>backoff.random-factor</c>).</summary>
    public required double BackoffRandomFactor { get; init; }

    /// <summary>
    /// Leave transactions the active model flagged out of the retraining sample (<c>sample-exclude-flagged</c>):
    /// an unsupervised model that learns anomalies as normal stops flagging them.
    /// </summary>
    public required bool SampleExcludeFlagged { get; init; }

    /// <summary>Leave transactions whose fraud label arrived out of the retraining sample (<c>sample-exclude-fraud</c>).</summary>
    public required bool SampleExcludeFraud { get; init; }

    /// <summary>Transactions a candidate shadow-scores before it is judged (<c>shadow.events</c>).</summary>
    public required int ShadowEvents { get; init; }

    /// <summary>
    /// Event time after the last shadow-scored transaction during which delayed labels of the shadowed
    /// transactions are still joined before the decision (<c>shadow.label-wait</c>); the decision comes
    /// earlier when every shadowed transaction has its label. Zero decides right after the last one.
    /// </summary>
    public required TimeSpan ShadowLabelWait { get; init; }

    /// <summary>The decision rule of shadow evaluations (<c>shadow.*</c>).</summary>
    public required ShadowPolicy Shadow { get; init; }

    /// <summary>Scored transactions between two checkpoints of the live model (<c>checkpoint-every-events</c>).</summary>
    public required long CheckpointEveryEvents { get; init; }

    /// <summary>Model versions whose bytes the registry keeps besides the active one (<c>retained-versions</c>).</summary>
    public required int RetainedVersions { get; init; }

    /// <summary>Journal events between two registry snapshots (<c>snapshot-every-events</c>).</summary>
    public required int SnapshotEveryEvents { get; init; }

    /// <summary>Decisions remembered by transaction id to match delayed labels (<c>drift.decision-memory</c>).</summary>
    public required int DecisionMemory { get; init; }

    /// <summary>Scored transactions of a model (from the start and after each swap) not watched by the drift detectors (ADWIN on its scores, DDM on its decisions) while the model warms up (<c>drift.warm-up-events</c>).</summary>
    public required long DriftWarmUpEvents { get; init; }

    /// <summary>Run ADWIN on the amount z-score as well as on the score (<c>drift.watch-amount-z-score</c>).</summary>
    public required bool WatchAmountZScore { get; init; }

    /// <summary>Reads <c>pipeline.lifecycle</c> from <paramref name="config"/> (the whole configuration).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range (the message names it).</exception>
    public static LifecycleSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string s = Section;
        var min = ConfigReader.Duration(config, $"{s}.backoff.min", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        return new LifecycleSettings
        {
            SampleSize = ConfigReader.Int(config, $"{s}.sample-size", 1, 10_000_000),
            SampleExcludeFlagged = ConfigReader.Bool(config, $"{s}.sample-exclude-flagged"),
            SampleExcludeFraud = ConfigReader.Bool(config, $"{s}.sample-exclude-fraud"),
            TrainingTimeout = ConfigReader.Duration(config, $"{s}.training-timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(6)),
            BackoffMin = min,
            BackoffMax = ConfigReader.Duration(config, $"{s}.backoff.max", min, TimeSpan.FromHours(1)),
            BackoffRandomFactor = ConfigReader.Double(config, $"{s}.backoff.random-factor", 0, 1),
            ShadowEvents = ConfigReader.Int(config, $"{s}.shadow.events", 1, 10_000_000),
            ShadowLabelWait = ConfigReader.Duration(config, $"{s}.shadow.label-wait", TimeSpan.Zero, TimeSpan.FromDays(90)),
            Shadow = new ShadowPolicy
            {
                MinLabels = ConfigReader.Int(config, $"{s}.shadow.min-labels", 1, 10_000_000),
                MinPositives = ConfigReader.Int(config, $"{s}.shadow.min-positives", 1, 10_000_000),
                MinGain = ConfigReader.Double(config, $"{s}.shadow.min-gain", -1, 1),
                MaxAlertRateRatio = ConfigReader.Double(config, $"{s}.shadow.max-alert-rate-ratio", 0, 1000),
                MaxScorePsi = ConfigReader.Double(config, $"{s}.shadow.max-score-psi", 0, 100),
            },
            CheckpointEveryEvents = ConfigReader.Long(config, $"{s}.checkpoint-every-events", 1, long.MaxValue),
            RetainedVersions = ConfigReader.Int(config, $"{s}.retained-versions", 1, 1000),
            SnapshotEveryEvents = ConfigReader.Int(config, $"{s}.snapshot-every-events", 1, 1_000_000),
            DecisionMemory = ConfigReader.Int(config, $"{s}.drift.decision-memory", 1, 100_000_000),
            DriftWarmUpEvents = ConfigReader.Long(config, $"{s}.drift.warm-up-events", 0, 100_000_000),
            WatchAmountZScore = ConfigReader.Bool(config, $"{s}.drift.watch-amount-z-score"),
        };
    }
}
