namespace Pipeline.Host.Backtest;

/// <summary>
/// A stream of labelled feature vectors for <see cref="BacktestRunner"/>. The CSV reader is one
/// implementation; another format (for example JSON lines of transactions run through the feature
/// pipeline) only has to fill the same vector layout.
/// </summary>
public interface ILabelledSource : IDisposable
{
    /// <summary>Feature names; <see cref="TryRead"/> fills vectors in this order.</summary>
    IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Where the input comes from, for messages (a file path).</summary>
    string Description { get; }

    /// <summary>
    /// Reads the next row: fills <paramref name="features"/> (length <see cref="FeatureNames"/>.Count,
    /// NaN for a missing feature) and its label. Returns false at the end of the input.
    /// </summary>
    /// <exception cref="BacktestInputException">The row is malformed; the message names its line.</exception>
    bool TryRead(Span<double> features, out bool label);
}
