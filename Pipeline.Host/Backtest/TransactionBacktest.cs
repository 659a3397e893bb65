using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Configuration;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Windows;
using Pipeline.Models.Domain;
using Pipeline.Models.Evaluation;
using Pipeline.Models.Features;

namespace Pipeline.Host.Backtest;

/// <summary>
/// Backtests the production model on a JSONL file of transactions (DESIGN §3.1, one per line,
/// plus a label field): each line goes through the same decoder, account windows and model as the
/// live graph, score before learn, and the model's blended score is evaluated against the label.
/// The operating threshold is the model's own adaptive threshold, so precision and recall are
/// those of the alerts the pipeline would have raised.
/// </summary>
public static class TransactionBacktest
{
    /// <summary>Runs the backtest; writes one score per line to <paramref name="scoresOut"/> when given.</summary>
    /// <exception cref="BacktestInputException">A line is not a valid transaction or lacks a boolean label; the message names the line.</exception>
    public static BacktestResult Run(string path, string labelField, Config config, TextWriter? scoresOut, CancellationToken ct)
    {
        var windows = WindowSettings.Create(config.GetConfig("pipeline.windows"));
        var scoring = ScoringSettings.Create(config);
        var scorer = ModelTransactionScorer.Create(scoring, AccountFeatures.Names(windows.Sizes), "backtest");
        var options = windows.ToFeatureOptions();
        // Backtests replay history: no event time counts as "in the future".
        var limits = new DecoderLimits { MaxFutureSkew = TimeSpan.Zero, Clock = new EndOfTime() };
        var states = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        var scores = new List<double>();
        var labels = new List<bool>();
        var metrics = default(BinaryMetrics);
        var watch = Stopwatch.StartNew();
        var lineNumber = 0L;
        foreach (var line in File.ReadLines(path))
        {
            ct.ThrowIfCancellationRequested();
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var bytes = Encoding.UTF8.GetBytes(line);
            var decoded = TransactionDecoder.Decode(bytes, limits);
            if (!decoded.IsValid)
            {
                var r = decoded.Rejection!;
                throw new BacktestInputException($"{path}:{lineNumber}: not a valid transaction ({r.Stage.ToString().ToLowerInvariant()}: {r.Reason}, {r.Detail})");
            }

            var tx = decoded.Value!;
            var label = Label(tx.ExtraJson, labelField) ?? throw new BacktestInputException($"{path}:{lineNumber}: no boolean or 0/1 field \"{labelField}\"");
            if (!states.TryGetValue(tx.AccountId, out var state)) states[tx.AccountId] = state = new AccountState(options);
            var features = state.Process(tx, new RecordPosition(path, 0, lineNumber));
            var row = scorer.ScoreThenLearn(tx, features, late: false);
            scores.Add(row.Score);
            labels.Add(label);
            metrics = metrics.Add(row.IsAnomaly, label);
            scoresOut?.WriteLine(row.Score.ToString("R", CultureInfo.InvariantCulture));
        }

        var elapsed = watch.Elapsed;
        var s = scores.ToArray();
        var l = labels.ToArray();
        return new BacktestResult(s.Length, l.LongCount(x => x), RocAuc.Compute(s, l), PrAuc.Compute(s, l), scorer.Model.Threshold, metrics, elapsed);
    }

    private static bool? Label(string? extraJson, string field)
    {
        if (extraJson is null) return null;
        using var doc = JsonDocument.Parse(extraJson);
        if (!doc.RootElement.TryGetProperty(field, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var n) && n is 0 or 1 => n == 1,
            _ => null,
        };
    }

    private sealed class EndOfTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.MaxValue.AddDays(-30);
    }
}
