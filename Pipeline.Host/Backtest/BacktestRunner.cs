using System.Diagnostics;
using System.Globalization;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Evaluation;
using Pipeline.Models.Internal;

namespace Pipeline.Host.Backtest;

/// <summary>
/// Replays a labelled stream through a fresh <see cref="HalfSpaceTrees"/> the way the pipeline
/// uses it: every row is scored by the current model and then learned (score before learn), and
/// the scores are evaluated against the labels at the end.
/// </summary>
public static class BacktestRunner
{
    private const int CancellationCheckInterval = 4096;

    /// <summary>
    /// Runs the backtest. Without <paramref name="shuffleSeed"/> rows stream through one at a time
    /// (only the score and label of each row are kept, for the exact AUC). With it, all rows are
    /// loaded first and shuffled like Python's <c>random.Random(seed).shuffle</c>.
    /// </summary>
    /// <param name="source">The labelled rows; its feature names become the model's schema.</param>
    /// <param name="options">Model options; <see cref="HalfSpaceTreesOptions.Features"/> is replaced by the source's names.</param>
    /// <param name="threshold">Operating threshold for precision, recall and F1.</param>
    /// <param name="shuffleSeed">Seed of the row shuffle, or null to keep the input order.</param>
    /// <param name="scoresOut">Receives each score on its own line (round-trip format) in processing order, or null.</param>
    /// <param name="ct">Checked every few thousand rows.</param>
    /// <exception cref="BacktestInputException">A row is malformed.</exception>
    public static BacktestResult Run(
        ILabelledSource source,
        HalfSpaceTreesOptions options,
        double threshold,
        long? shuffleSeed,
        TextWriter? scoresOut,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var model = new HalfSpaceTrees(options with { Features = source.FeatureNames });
        var width = source.FeatureNames.Count;
        var scores = new List<double>();
        var labels = new List<bool>();
        var clock = Stopwatch.StartNew();

        if (shuffleSeed is null)
        {
            var x = new double[width];
            while (source.TryRead(x, out var label))
            {
                Step(model, x, label, scores, labels, scoresOut, ct);
            }
        }
        else
        {
            var rows = new List<double>();
            var rowLabels = new List<bool>();
            var buffer = new double[width];
            while (source.TryRead(buffer, out var label))
            {
                rows.AddRange(buffer);
                rowLabels.Add(label);
                if (rowLabels.Count % CancellationCheckInterval == 0) ct.ThrowIfCancellationRequested();
            }

            var order = new int[rowLabels.Count];
            for (var i = 0; i < order.Length; i++) order[i] = i;
            new PythonRandom(shuffleSeed.Value).Shuffle(order.AsSpan());
            var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows);
            foreach (var r in order)
            {
                var x = all.Slice(r * width, width);
                Step(model, x, rowLabels[r], scores, labels, scoresOut, ct);
            }
        }

        clock.Stop();
        var s = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scores);
        var l = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(labels);
        var positives = 0L;
        foreach (var label in l)
        {
            if (label) positives++;
        }

        return new BacktestResult(
            scores.Count,
            positives,
            RocAuc.Compute(s, l),
            PrAuc.Compute(s, l),
            threshold,
            BinaryMetrics.AtThreshold(s, l, threshold),
            clock.Elapsed);
    }

    private static void Step(
        HalfSpaceTrees model,
        ReadOnlySpan<double> x,
        bool label,
        List<double> scores,
        List<bool> labels,
        TextWriter? scoresOut,
        CancellationToken ct)
    {
        var score = model.ScoreOne(x);
        model.LearnOne(x);
        scores.Add(score);
        labels.Add(label);
        if (scoresOut is not null)
        {
            Span<char> text = stackalloc char[32];
            score.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
            scoresOut.Write(text[..written]);
            scoresOut.WriteLine();
        }

        if (scores.Count % CancellationCheckInterval == 0)
        {
            ct.ThrowIfCancellationRequested();
        }
    }
}
