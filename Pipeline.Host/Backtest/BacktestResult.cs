using Pipeline.Models.Evaluation;

namespace Pipeline.Host.Backtest;

/// <summary>What a backtest measured.</summary>
/// <param name="Rows">Rows scored and learned.</param>
/// <param name="Positives">Rows labelled positive.</param>
/// <param name="RocAuc">Exact ROC AUC of the scores; NaN without both classes.</param>
/// <param name="PrAuc">Average precision of the scores; NaN without positives.</param>
/// <param name="Threshold">The operating threshold: a row is flagged when its score is at or above it.</param>
/// <param name="AtThreshold">Confusion counts, precision, recall and F1 at <paramref name="Threshold"/>.</param>
/// <param name="Elapsed">Wall time of reading, scoring and learning all rows.</param>
public sealed record BacktestResult(long Rows, long Positives, double RocAuc, double PrAuc, double Threshold, BinaryMetrics AtThreshold, TimeSpan Elapsed)
{
    /// <summary>Rows per second over <see cref="Elapsed"/>.</summary>
    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? Rows / Elapsed.TotalSeconds : double.NaN;
}
