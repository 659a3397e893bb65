using Akka.Configuration;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Windows;
using Pipeline.Host.Hosting;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Evaluation;
using Pipeline.Models.Features;
using Pipeline.Models.Synthetic;
using Xunit;

namespace Pipeline.Tests.Graph.Scoring;

public sealed class ModelTransactionScorerTests
{
    private static readonly Config Reference = PipelineConfigLoader.Load(new Dictionary<string, string>(), null, null);

    [Fact]
    public void ScoreThenLearn_should_rank_attack_transactions_above_normal_ones_when_run_over_a_synthetic_stream()
    {
        var (scores, labels, rows) = Run(Stream(seed: 3), out _);

        Assert.All(scores, s => Assert.InRange(s, 0.0, 1.0));
        Assert.True(RocAuc.Compute(scores.ToArray(), labels.ToArray()) > 0.75, "attacks must score above normal traffic");
        Assert.Contains(rows, r => r.IsAnomaly && r.Reasons.Count > 0);
        Assert.All(rows.Where(r => r.IsAnomaly), r => Assert.Contains(r.Severity, new[] { "LOW", "MEDIUM", "HIGH", "CRITICAL" }));
        Assert.All(rows, r => Assert.DoesNotContain(r.Features.Keys, k => k.Contains("card", StringComparison.Ordinal)));
    }

    [Fact]
    public void Model_should_score_identically_after_a_snapshot_round_trip_when_restored_mid_stream()
    {
        var stream = Stream(seed: 5);
        var settings = ScoringSettings.Create(Reference);
        var windows = WindowSettings.Create(Reference.GetConfig("pipeline.windows"));
        var original = ModelTransactionScorer.Create(settings, AccountFeatures.Names(windows.Sizes));
        var states = new Dictionary<string, AccountState>();
        var featured = Featurize(stream, windows, states);
        foreach (var (tx, f, _) in featured.Take(1500)) original.ScoreThenLearn(tx, f, late: false);

        using var snapshot = new MemoryStream();
        original.Model.WriteTo(snapshot);
        snapshot.Position = 0;
        var restored = new ModelTransactionScorer(TransactionAnomalyModel.ReadFrom(snapshot, ModelTransactionScorer.Configuration(settings)), "restored");

        foreach (var (tx, f, _) in featured.Skip(1500))
        {
            Assert.Equal(original.ScoreThenLearn(tx, f, false).Score, restored.ScoreThenLearn(tx, f, false).Score);
        }
    }

    private static List<GeneratedTransaction> Stream(int seed) =>
        TransactionGenerator.Generate(new GeneratorOptions
        {
            Seed = seed,
            Accounts = 50,
            NormalCount = 4000,
            DriftCount = 0,
            AttackCount = 1000,
            AttackFraction = 0.2,
            Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            MeanInterArrival = TimeSpan.FromSeconds(20),
        }).ToList();

    private static List<(Pipeline.Models.Domain.Transaction Tx, AccountFeatures Features, bool IsAnomaly)> Featurize(
        List<GeneratedTransaction> stream, WindowSettings windows, Dictionary<string, AccountState> states)
    {
        var result = new List<(Pipeline.Models.Domain.Transaction, AccountFeatures, bool)>(stream.Count);
        var offset = 0L;
        foreach (var g in stream)
        {
            if (!states.TryGetValue(g.Transaction.AccountId, out var state))
            {
                states[g.Transaction.AccountId] = state = new AccountState(windows.ToFeatureOptions());
            }

            result.Add((g.Transaction, state.Process(g.Transaction, new RecordPosition("t", 0, offset++)), g.IsAnomaly));
        }

        return result;
    }

    private static (List<double> Scores, List<bool> Labels, List<Pipeline.Models.Domain.ScoredTransaction> Rows) Run(List<GeneratedTransaction> stream, out ModelTransactionScorer scorer)
    {
        var settings = ScoringSettings.Create(Reference);
        var windows = WindowSettings.Create(Reference.GetConfig("pipeline.windows"));
        scorer = ModelTransactionScorer.Create(settings, AccountFeatures.Names(windows.Sizes));
        var scores = new List<double>();
        var labels = new List<bool>();
        var rows = new List<Pipeline.Models.Domain.ScoredTransaction>();
        foreach (var (tx, f, anomaly) in Featurize(stream, windows, new Dictionary<string, AccountState>()))
        {
            var row = scorer.ScoreThenLearn(tx, f, late: false);
            rows.Add(row);
            scores.Add(row.Score);
            labels.Add(anomaly);
        }

        return (scores, labels, rows);
    }
}
