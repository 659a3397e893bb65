using Pipeline.Models.Lifecycle;
using Xunit;

namespace Pipeline.Tests.Models.Lifecycle;

public sealed class ShadowComparisonTests
{
    private static readonly ShadowPolicy Policy = new() { MinLabels = 50, MinPositives = 5, MinGain = 0.0, MaxAlertRateRatio = 1.5, MaxScorePsi = 0.25 };

    [Fact]
    public void Evaluate_should_promote_by_pr_auc_when_labels_show_the_candidate_ranks_fraud_higher()
    {
        var comparison = Run(200, i => Fraud(i) ? (0.4, 0.9) : (0.5, 0.2), label: true);

        var result = comparison.Evaluate(Policy);

        Assert.Equal("labels", result.Basis);
        Assert.True(result.Promote, result.Reason);
        Assert.Equal(1.0, result.CandidatePrAuc!.Value, 6);
        Assert.True(result.ActivePrAuc < 0.5, $"active PR AUC {result.ActivePrAuc}");
        Assert.Equal(1.0, result.CandidateRecall);
        Assert.Equal(0.0, result.ActiveRecall);
        Assert.Equal(200, result.Labelled);
        Assert.Equal(20, result.Positives);
    }

    [Fact]
    public void Evaluate_should_reject_by_pr_auc_when_labels_show_the_candidate_ranks_fraud_lower()
    {
        var result = Run(200, i => Fraud(i) ? (0.9, 0.4) : (0.2, 0.5), label: true).Evaluate(Policy);

        Assert.Equal("labels", result.Basis);
        Assert.False(result.Promote, result.Reason);
        Assert.Contains("loses recall", result.Reason);
    }

    [Fact]
    public void Evaluate_should_reject_by_labels_when_the_candidate_ranks_better_but_misses_fraud_at_the_threshold()
    {
        // The candidate ranks every fraud above every legitimate transaction (PR AUC 1) but flags
        // only half of the fraud at the operating threshold; the active model flags all of it.
        var result = Run(200, i => Fraud(i) ? (0.7, i % 20 == 0 ? 0.65 : 0.55) : (i % 5 == 1 ? 0.7 : 0.3, 0.1), label: true).Evaluate(Policy);

        Assert.Equal("labels", result.Basis);
        Assert.False(result.Promote, result.Reason);
        Assert.Equal(1.0, result.CandidatePrAuc!.Value, 6);
        Assert.Equal(0.5, result.CandidateRecall);
        Assert.Equal(1.0, result.ActiveRecall);
        Assert.Contains("loses recall", result.Reason);
    }

    [Fact]
    public void Evaluate_should_promote_by_labels_when_the_candidate_keeps_recall_with_fewer_false_alerts()
    {
        // Both flag every fraud; the active model also flags one legitimate transaction in five.
        var result = Run(200, i => Fraud(i) ? (0.7, 0.7) : (i % 5 == 1 ? 0.7 : 0.3, 0.3), label: true).Evaluate(Policy);

        Assert.True(result.Promote, result.Reason);
        Assert.Equal(1.0, result.CandidatePrecision);
        Assert.True(result.ActivePrecision < 0.5, $"active precision {result.ActivePrecision}");
        Assert.Contains("wins on precision", result.Reason);
    }

    [Fact]
    public void Evaluate_should_fall_back_to_the_unlabelled_rule_when_too_few_labels_are_fraud()
    {
        // Every transaction labelled but only 4 of 400 fraud (the policy needs 5): a PR AUC that
        // favours the active model by chance must not decide.
        var comparison = new ShadowComparison(400);
        for (var i = 0; i < 400; i++)
        {
            var fraud = i % 100 == 0;
            comparison.Add($"t{i}", fraud ? 0.9 : 0.3, fraud ? 0.4 : 0.3, threshold: 0.6);
            comparison.Label($"t{i}", fraud);
        }

        var result = comparison.Evaluate(Policy);

        Assert.Equal("unlabelled", result.Basis);
        Assert.Equal(400, result.Labelled);
        Assert.Equal(4, result.Positives);
        Assert.Null(result.CandidatePrAuc);
        Assert.True(result.Promote, result.Reason);
        Assert.Contains("4 fraud < 5 needed", result.Reason);
    }

    [Fact]
    public void Evaluate_should_reject_without_labels_when_the_candidate_alerts_far_more_often()
    {
        var result = Run(400, i => (i % 20 == 0 ? 0.9 : 0.1, i % 4 == 0 ? 0.9 : 0.1), label: false).Evaluate(Policy);

        Assert.Equal("unlabelled", result.Basis);
        Assert.False(result.Promote, result.Reason);
        Assert.Equal(0.05, result.ActiveAlertRate, 6);
        Assert.Equal(0.25, result.CandidateAlertRate, 6);
        Assert.Null(result.CandidatePrAuc);
    }

    [Fact]
    public void Evaluate_should_reject_without_labels_when_the_candidate_scores_shift_within_the_window()
    {
        var result = Run(400, i => (0.3, i < 200 ? 0.15 : 0.45), label: false).Evaluate(Policy);

        Assert.False(result.Promote, result.Reason);
        Assert.True(result.CandidateScorePsi > 1, $"PSI {result.CandidateScorePsi}");
    }

    [Fact]
    public void Evaluate_should_promote_without_labels_when_the_candidate_is_stable_and_alerts_no_more()
    {
        var result = Run(400, i => (i % 10 == 0 ? 0.9 : 0.3, i % 20 == 0 ? 0.9 : 0.25), label: false).Evaluate(Policy);

        Assert.True(result.Promote, result.Reason);
        Assert.Equal(400, result.Events);
    }

    [Fact]
    public void Label_should_ignore_transactions_outside_the_comparison()
    {
        var comparison = new ShadowComparison(2);
        comparison.Add("a", 0.1, 0.2, 0.5);

        Assert.False(comparison.Label("b", true));
        Assert.True(comparison.Label("a", false));
        Assert.False(comparison.IsComplete);
    }

    private static bool Fraud(int i) => i % 10 == 0;

    private static ShadowComparison Run(int n, Func<int, (double Active, double Candidate)> scores, bool label)
    {
        var comparison = new ShadowComparison(n);
        for (var i = 0; i < n; i++)
        {
            var (a, c) = scores(i);
            comparison.Add($"t{i}", a, c, threshold: 0.6);
            if (label) comparison.Label($"t{i}", Fraud(i));
        }

        Assert.True(comparison.IsComplete);
        return comparison;
    }
}
