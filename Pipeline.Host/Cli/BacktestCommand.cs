using System.Globalization;
using Pipeline.Host.Backtest;
using Pipeline.Models.Anomaly;

namespace Pipeline.Host.Cli;

/// <summary>
/// <c>backtest</c>: replays a labelled CSV through Half-Space Trees (score each row, then learn
/// it) and reports exact ROC AUC, PR AUC (average precision), precision/recall/F1 at an operating
/// threshold, and throughput.
/// </summary>
/// <remarks>
/// <code>
/// backtest --input file.csv --label is_fraud [--features a,b,c] [--limits a=0:100,b=-1:1]
///          [--trees 10] [--height 8] [--window 250] [--seed 42] [--shuffle-seed N]
///          [--threshold 0.7] [--scores-out path]
/// </code>
/// The CSV has a header row; feature cells are numbers, an empty cell is a missing feature, the
/// label cell is 0/1/true/false. <c>--features</c> defaults to every column but the label; a
/// feature without <c>--limits</c> is assumed to lie in [0, 1], as in River. <c>--scores-out</c>
/// writes one score per line in processing order (shuffled order with <c>--shuffle-seed</c>).
/// Exit codes: 0 done, 1 unreadable or malformed input (one line naming the file line), 2 usage
/// error (thrown as <see cref="CommandLineException"/>).
/// </remarks>
public static class BacktestCommand
{
    /// <summary>Default operating threshold for the precision/recall/F1 line.</summary>
    public const double DefaultThreshold = 0.7;

    /// <summary>Runs the verb.</summary>
    public static Task<int> RunAsync(CommandLineArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var input = args.Required("input");
        var label = args.Required("label");
        if (input.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || input.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(RunTransactions(args, input, label, stdout, stderr, ct));
        }

        var features = ParseList(args.String("features"), "features");
        var limits = ParseLimits(args.String("limits"));
        var options = new HalfSpaceTreesOptions
        {
            Trees = args.Int("trees", 10, 1, HalfSpaceTreesOptions.MaxTrees),
            Height = args.Int("height", 8, 1, HalfSpaceTreesOptions.MaxHeight),
            WindowSize = args.Int("window", 250, 1, HalfSpaceTreesOptions.MaxWindowSize),
            Seed = args.Has("seed") ? args.Long("seed", 0) : null,
            Limits = limits,
        };
        long? shuffleSeed = args.Has("shuffle-seed") ? args.Long("shuffle-seed", 0) : null;
        var threshold = args.Double("threshold", DefaultThreshold, 0.0, 1.0);
        var scoresPath = args.String("scores-out");
        args.EnsureAllUsed();

        try
        {
            using var source = CsvLabelledSource.Open(input, label, features);
            ValidateOptions(options with { Features = source.FeatureNames });
            using var scoresOut = scoresPath is null ? null : new StreamWriter(scoresPath);
            var result = BacktestRunner.Run(source, options, threshold, shuffleSeed, scoresOut, ct);
            Report(stdout, source, options, shuffleSeed, scoresPath, result);
            return Task.FromResult(0);
        }
        catch (BacktestInputException e)
        {
            stderr.WriteLine($"backtest: {e.Message}");
            return Task.FromResult(1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"backtest: {e.Message}");
            return Task.FromResult(1);
        }
    }

    // A JSONL file of transactions runs through the production model (windows, scaler, HST
    // ensemble, rules, adaptive threshold) configured by HOCON, not through a bare HST.
    private static int RunTransactions(CommandLineArgs args, string input, string label, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var scoresPath = args.String("scores-out");
        var config = Hosting.PipelineConfigLoader.Load(Program.EnvironmentVariables(), args.String("config"), args.String("set"));
        args.EnsureAllUsed();
        try
        {
            using var scoresOut = scoresPath is null ? null : new StreamWriter(scoresPath);
            var r = TransactionBacktest.Run(input, label, config, scoresOut, ct);
            var ci = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(ci, $"input:      {input} ({r.Rows:N0} transactions, {r.Positives:N0} labelled {label})"));
            stdout.WriteLine("model:      pipeline.scoring (account windows → scaler → HST ensemble + rules, adaptive threshold)");
            stdout.WriteLine($"ROC AUC:    {Metric(r.RocAuc)}");
            stdout.WriteLine($"PR AUC:     {Metric(r.PrAuc)} (average precision)");
            var m = r.AtThreshold;
            stdout.WriteLine(string.Create(ci, $"alerts:     precision {Metric(m.Precision)}, recall {Metric(m.Recall)}, F1 {Metric(m.F1)} at the adaptive threshold (final {r.Threshold:0.###}; TP {m.TruePositives:N0}, FP {m.FalsePositives:N0}, TN {m.TrueNegatives:N0}, FN {m.FalseNegatives:N0})"));
            stdout.WriteLine(string.Create(ci, $"throughput: {r.RowsPerSecond:N0} transactions/s"));
            if (scoresPath is not null) stdout.WriteLine($"scores:     {scoresPath}");
            return 0;
        }
        catch (Exception e) when (e is BacktestInputException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"backtest: {e.Message}");
            return 1;
        }
    }

    private static void ValidateOptions(HalfSpaceTreesOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CommandLineException($"invalid model options: {e.Message}");
        }
    }

    private static void Report(TextWriter o, ILabelledSource source, HalfSpaceTreesOptions options, long? shuffleSeed, string? scoresPath, BacktestResult r)
    {
        var ci = CultureInfo.InvariantCulture;
        var rate = r.Rows == 0 ? 0.0 : (double)r.Positives / r.Rows;
        o.WriteLine(string.Create(ci, $"input:      {source.Description} ({r.Rows:N0} rows, {r.Positives:N0} positive = {rate * 100:0.##}%{(shuffleSeed is null ? "" : $", shuffled with seed {shuffleSeed}")})"));
        o.WriteLine($"features:   {string.Join(", ", source.FeatureNames)}");
        o.WriteLine(string.Create(ci, $"model:      HalfSpaceTrees trees={options.Trees} height={options.Height} window={options.WindowSize} seed={(options.Seed?.ToString(ci) ?? "random")}"));
        o.WriteLine($"ROC AUC:    {Metric(r.RocAuc)}");
        o.WriteLine($"PR AUC:     {Metric(r.PrAuc)} (average precision)");
        var m = r.AtThreshold;
        o.WriteLine(string.Create(ci, $"threshold:  {r.Threshold:0.###}: precision {Metric(m.Precision)}, recall {Metric(m.Recall)}, F1 {Metric(m.F1)} (TP {m.TruePositives:N0}, FP {m.FalsePositives:N0}, TN {m.TrueNegatives:N0}, FN {m.FalseNegatives:N0})"));
        o.WriteLine(string.Create(ci, $"throughput: {r.RowsPerSecond:N0} rows/s ({r.Rows:N0} rows read, scored and learned in {r.Elapsed.TotalSeconds:0.###} s)"));
        if (scoresPath is not null)
        {
            o.WriteLine($"scores:     {scoresPath}");
        }
    }

    private static string Metric(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string[]? ParseList(string? text, string option)
    {
        if (text is null) return null;
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        if (items.Any(i => i.Length == 0))
        {
            throw new CommandLineException($"option --{option} must be a comma-separated list of names, got '{text}'");
        }

        return items;
    }

    private static Dictionary<string, FeatureLimits>? ParseLimits(string? text)
    {
        if (text is null) return null;
        var limits = new Dictionary<string, FeatureLimits>(StringComparer.Ordinal);
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            // The first ':' after the first character of the range splits it, so "-1:1" works.
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            var range = eq < 0 ? "" : item[(eq + 1)..];
            var colon = range.Length == 0 ? -1 : range.IndexOf(':', 1);
            if (eq <= 0 || colon < 0
                || !double.TryParse(range.AsSpan(0, colon), NumberStyles.Float, CultureInfo.InvariantCulture, out var lo)
                || !double.TryParse(range.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var hi))
            {
                throw new CommandLineException($"option --limits takes name=lo:hi entries separated by commas (e.g. amount=0:5000,hour=0:24), got '{item}'");
            }

            var name = item[..eq].Trim();
            if (!limits.TryAdd(name, new FeatureLimits(lo, hi)))
            {
                throw new CommandLineException($"option --limits names '{name}' more than once");
            }
        }

        return limits;
    }
}
