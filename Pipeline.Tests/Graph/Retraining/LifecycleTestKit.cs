using Akka.Configuration;
using Confluent.Kafka;
using Config = Akka.Configuration.Config;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Windows;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Features;
using Pipeline.Models.Synthetic;
using Pipeline.Tests.Graph.Scoring;
using Pipeline.Tests.Graph.Windows;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Retraining;

/// <summary>Models, featurized synthetic traffic, settings and SQLite persistence for the lifecycle tests.</summary>
internal static class LifecycleTestKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static readonly Config Reference = ReferenceConfigFile.Load();

    public static ScoringSettings Scoring { get; } = ScoringSettings.Create(Reference);

    public static WindowSettings Windows { get; } = WindowSettings.Create(Reference.GetConfig(WindowSettings.DefaultPath));

    public static TransactionModelConfiguration ModelConfiguration { get; } = ModelTransactionScorer.Configuration(Scoring);

    /// <summary>Lifecycle settings from the reference file with <paramref name="overrides"/> (keys relative to pipeline.lifecycle).</summary>
    public static LifecycleSettings Settings(string overrides = "") =>
        LifecycleSettings.Create(ConfigurationFactory.ParseString($"pipeline.lifecycle {{ {overrides} }}").WithFallback(Reference));

    /// <summary>A fresh scorer over the reference features.</summary>
    public static ModelTransactionScorer NewScorer() => ModelTransactionScorer.Create(Scoring, AccountFeatures.Names(Windows.Sizes));

    public static byte[] Bytes(TransactionAnomalyModel model)
    {
        using var buffer = new MemoryStream();
        model.WriteTo(buffer);
        return buffer.ToArray();
    }

    public static TransactionAnomalyModel Read(byte[] bytes)
    {
        using var input = new MemoryStream(bytes, writable: false);
        return TransactionAnomalyModel.ReadFrom(input, ModelConfiguration);
    }

    /// <summary>A model that has learned <paramref name="count"/> featurized synthetic transactions (distinct bytes per count).</summary>
    public static byte[] TrainedBytes(int count, int seed = 11)
    {
        var scorer = NewScorer();
        foreach (var f in Featurized(Generate(seed, normal: count, drift: 0, attack: 0))) scorer.ScoreThenLearn(f.Transaction, f.Features, false);
        return Bytes(scorer.Model);
    }

    public static List<GeneratedTransaction> Generate(int seed, int normal, int drift, int attack) =>
        TransactionGenerator.Generate(new GeneratorOptions
        {
            Seed = seed,
            Accounts = 40,
            NormalCount = normal,
            DriftCount = drift,
            AttackCount = attack,
            AttackFraction = 0.1,
            Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            MeanInterArrival = TimeSpan.FromSeconds(10),
        }).ToList();

    /// <summary>Generated transactions as graph elements with consecutive offsets of partition 0.</summary>
    public static List<FeaturedTransaction> Featurized(IEnumerable<GeneratedTransaction> stream)
    {
        var consumer = new WindowsTestKit.FakeConsumer();
        var states = new Dictionary<string, AccountState>();
        var result = new List<FeaturedTransaction>();
        var offset = 0L;
        foreach (var g in stream)
        {
            if (!states.TryGetValue(g.Transaction.AccountId, out var state))
            {
                states[g.Transaction.AccountId] = state = new AccountState(Windows.ToFeatureOptions());
            }

            var features = state.Process(g.Transaction, new Pipeline.Models.Features.RecordPosition("transactions", 0, offset));
            result.Add(new FeaturedTransaction(consumer.Offset(new TopicPartition("transactions", 0), offset, 1), g.Transaction.Timestamp, g.Transaction, features, false));
            offset++;
        }

        return result;
    }

    /// <summary>Actor-system configuration with the registry's journal and snapshots in the SQLite file <paramref name="path"/>.</summary>
    public static Config SqliteSystem(string path) =>
        new PersistenceSettings { Provider = "sqlite", ConnectionString = $"Data Source={path}" }.ToAkkaConfig()
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = INFO"));

    /// <summary>A listener that records what the scoring stage reports.</summary>
    internal sealed class RecordingListener : IScoringLifecycleListener
    {
        public List<(long Version, byte[] Model, long LearnCount)> Checkpoints { get; } = [];

        public List<(long Version, Pipeline.Models.Lifecycle.ShadowEvaluation Evaluation)> Evaluations { get; } = [];

        /// <summary>Completes with the version of the first candidate the stage began to shadow-score.</summary>
        public TaskCompletionSource<long> ShadowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnShadowStarted(long version, int events) => ShadowStarted.TrySetResult(version);

        public void OnCheckpoint(long version, byte[] model, long learnCount)
        {
            lock (Checkpoints) Checkpoints.Add((version, model, learnCount));
        }

        public void OnShadowCompleted(long version, Pipeline.Models.Lifecycle.ShadowEvaluation evaluation)
        {
            lock (Evaluations) Evaluations.Add((version, evaluation));
        }
    }

    /// <summary>The element's offset (for order and loss checks).</summary>
    public static long OffsetOf(PipelineElement e) => e.Offset.Offset;
}
