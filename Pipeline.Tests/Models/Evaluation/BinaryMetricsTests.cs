using Pipeline.Models.Evaluation;
using Xunit;

namespace Pipeline.Tests.Models.Evaluation;

public sealed class BinaryMetricsTests
{
    [Fact]
    public void AtThreshold_should_flag_scores_at_or_above_the_threshold_and_count_each_outcome()
    {
        var m = BinaryMetrics.AtThreshold([0.9, 0.7, 0.7, 0.2, 0.1], [true, false, true, true, false], 0.7);

        Assert.Equal(new BinaryMetrics(TruePositives: 2, FalsePositives: 1, TrueNegatives: 1, FalseNegatives: 1), m);
        Assert.Equal(5, m.Total);
        Assert.Equal(2.0 / 3.0, m.Precision, 15);
        Assert.Equal(2.0 / 3.0, m.Recall, 15);
        Assert.Equal(2.0 / 3.0, m.F1, 15);
    }

    [Fact]
    public void F1_should_be_the_harmonic_mean_of_precision_and_recall()
    {
        var m = new BinaryMetrics(TruePositives: 3, FalsePositives: 1, TrueNegatives: 10, FalseNegatives: 5);

        Assert.Equal(0.75, m.Precision, 15);
        Assert.Equal(0.375, m.Recall, 15);
        Assert.Equal(2 * 0.75 * 0.375 / (0.75 + 0.375), m.F1, 15);
    }

    [Fact]
    public void Metrics_should_be_nan_when_undefined_and_f1_zero_when_positives_were_all_missed()
    {
        var nothingFlagged = BinaryMetrics.AtThreshold([0.1, 0.2], [true, false], 0.95);
        var nothingAtAll = BinaryMetrics.AtThreshold([0.1], [false], 0.95);

        Assert.True(double.IsNaN(nothingFlagged.Precision));
        Assert.Equal(0.0, nothingFlagged.Recall);
        Assert.Equal(0.0, nothingFlagged.F1);
        Assert.True(double.IsNaN(nothingAtAll.Recall));
        Assert.True(double.IsNaN(nothingAtAll.F1));
    }

    [Fact]
    public void Add_should_count_like_AtThreshold()
    {
        double[] scores = [0.9, 0.7, 0.3, 0.2, 0.8];
        bool[] labels = [true, false, true, false, false];
        var streamed = new BinaryMetrics();
        for (var i = 0; i < scores.Length; i++) streamed = streamed.Add(scores[i] >= 0.5, labels[i]);

        Assert.Equal(BinaryMetrics.AtThreshold(scores, labels, 0.5), streamed);
    }
}
