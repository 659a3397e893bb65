namespace Pipeline.Host.Backtest;

/// <summary>
/// A backtest input that cannot be used: malformed CSV, a non-numeric cell, a missing column.
/// The message is one line that names the file and line, ready to print as is.
/// </summary>
public sealed class BacktestInputException(string message) : Exception(message);
