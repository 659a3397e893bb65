using System.Globalization;
using System.Text;
using Pipeline.Host.Cli;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Internal;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

public sealed class BacktestCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "backtest-tests-" + Guid.NewGuid().ToString("N"));

    public BacktestCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Backtest_should_separate_clustered_and_scattered_anomalies_and_write_the_librarys_scores()
    {
        var (path, rows) = WriteLabelledCsv(seed: 7, count: 6000);
        var scoresPath = Path.Combine(_dir, "scores.txt");

        var (code, stdout, stderr) = await Run(
            "--input", path, "--label", "is_fraud", "--features", "amount,velocity,distance",
            "--limits", "amount=0:1000", "--trees", "25", "--height", "8", "--window", "250", "--seed", "42",
            "--threshold", "0.8", "--scores-out", scoresPath);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.True(ReportedMetric(stdout, "ROC AUC:") > 0.8, stdout);
        Assert.True(ReportedMetric(stdout, "PR AUC:") > 0.1, stdout);
        Assert.Contains("6,000 rows", stdout);
        Assert.Contains("rows/s", stdout);
        Assert.Contains("threshold:  0.8: precision", stdout);
        var expected = LibraryScores(rows, order: null);
        Assert.Equal(expected, File.ReadAllLines(scoresPath));
    }

    [Fact]
    public async Task Backtest_should_process_rows_in_pythons_shuffled_order_when_given_a_shuffle_seed()
    {
        var (path, rows) = WriteLabelledCsv(seed: 3, count: 800);
        var scoresPath = Path.Combine(_dir, "shuffled.txt");
        var order = Enumerable.Range(0, rows.Count).ToArray();
        new PythonRandom(5).Shuffle(order.AsSpan());

        var (code, stdout, _) = await Run(
            "--input", path, "--label", "is_fraud", "--features", "amount,velocity,distance", "--limits", "amount=0:1000",
            "--trees", "25", "--height", "8", "--window", "250", "--seed", "42", "--shuffle-seed", "5", "--scores-out", scoresPath);

        Assert.Equal(0, code);
        Assert.Contains("shuffled with seed 5", stdout);
        Assert.Equal(LibraryScores(rows, order), File.ReadAllLines(scoresPath));
        Assert.NotEqual(LibraryScores(rows, order: null), File.ReadAllLines(scoresPath));
    }

    [Fact]
    public async Task Backtest_should_read_quoted_fields_empty_cells_and_every_column_but_the_label_by_default()
    {
        var path = Write("quoted.csv",
            "\"a\",\"b, with comma\",label\r\n" +
            "0.5,\"0.25\",1\r\n" +
            "\r\n" +
            ",0.75,false\r\n" +
            "\"0.1\",,TRUE\r\n");
        var scoresPath = Path.Combine(_dir, "q.txt");

        var (code, stdout, stderr) = await Run("--input", path, "--label", "label", "--window", "1", "--seed", "1", "--scores-out", scoresPath);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("features:   a, b, with comma", stdout);
        Assert.Contains("3 rows, 2 positive", stdout);
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { WindowSize = 1, Seed = 1, Features = ["a", "b, with comma"] });
        var expected = new[] { new[] { 0.5, 0.25 }, new[] { double.NaN, 0.75 }, new[] { 0.1, double.NaN } }
            .Select(x => { var s = model.ScoreOne(x); model.LearnOne(x); return s.ToString("R", CultureInfo.InvariantCulture); });
        Assert.Equal(expected, File.ReadAllLines(scoresPath));
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "amount,velocity,is_fraud\n0.1,0.2,0\n0.3,0.4\n", "line 3", "expected 3 fields as in the header, found 2" },
        { "amount,velocity,is_fraud\n0.1,0.2,0\n0.1,abc,1\n", "line 3", "column 'velocity' holds 'abc', which is not a finite number" },
        { "amount,velocity,is_fraud\n0.1,0.2,maybe\n", "line 2", "label column 'is_fraud' holds 'maybe'" },
        { "amount,velocity,is_fraud\n0.1,0.2,0\n\"0.3,0.4,1\n0.5,0.6,0\n", "line 3", "unterminated quoted field" },
        { "amount,velocity,fraud\n0.1,0.2,0\n", "line 1", "no label column 'is_fraud' in the header (columns: amount, velocity, fraud)" },
        { "amount,velocity,is_fraud\n0.1,\"0.2\"x,0\n", "line 2", "after a closing quote" },
        { "", "line 1", "the file is empty" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Backtest_should_exit_with_1_and_one_line_naming_the_line_when_the_csv_is_bad(string content, string line, string detail)
    {
        var path = Write("bad.csv", content);

        var (code, stdout, stderr) = await Run("--input", path, "--label", "is_fraud", "--seed", "1");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"backtest: {path} {line}: ", stderr[..($"backtest: {path} {line}: ".Length)]);
        Assert.Contains(detail, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Backtest_should_exit_with_1_when_a_requested_feature_column_does_not_exist()
    {
        var path = Write("f.csv", "amount,is_fraud\n0.1,0\n");

        var (code, _, stderr) = await Run("--input", path, "--label", "is_fraud", "--features", "amount,zzz");

        Assert.Equal(1, code);
        Assert.Contains("line 1: no feature column 'zzz'", stderr);
    }

    [Fact]
    public async Task Backtest_should_exit_with_1_when_the_input_file_is_missing()
    {
        var (code, _, stderr) = await Run("--input", Path.Combine(_dir, "missing.csv"), "--label", "is_fraud");

        Assert.Equal(1, code);
        Assert.Contains("missing.csv", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Theory]
    [InlineData("--threshold", "1.5", "--threshold")]
    [InlineData("--limits", "amount=5", "--limits")]
    [InlineData("--trees", "0", "--trees")]
    [InlineData("--window", "70000", "--window")]
    [InlineData("--bogus", "1", "--bogus")]
    public async Task Backtest_should_report_usage_errors_as_CommandLineException(string option, string value, string named)
    {
        var path = Write("ok.csv", "amount,is_fraud\n0.1,0\n");

        var error = await Assert.ThrowsAsync<CommandLineException>(() => Run("--input", path, "--label", "is_fraud", option, value));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task Backtest_should_report_limits_for_an_unknown_feature_as_a_usage_error()
    {
        var path = Write("ok.csv", "amount,is_fraud\n0.1,0\n");

        var error = await Assert.ThrowsAsync<CommandLineException>(() => Run("--input", path, "--label", "is_fraud", "--limits", "speed=0:1"));

        Assert.Contains("'speed'", error.Message);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = await BacktestCommand.RunAsync(CommandLineArgs.Parse(args), stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static double ReportedMetric(string stdout, string prefix)
    {
        var line = stdout.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static string[] LibraryScores(List<(double[] X, bool Label)> rows, int[]? order)
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions
        {
            Trees = 25,
            Height = 8,
            WindowSize = 250,
            Seed = 42,
            Features = ["amount", "velocity", "distance"],
            Limits = new Dictionary<string, FeatureLimits> { ["amount"] = new(0, 1000) },
        });
        return (order ?? Enumerable.Range(0, rows.Count).ToArray())
            .Select(i =>
            {
                var s = model.ScoreOne(rows[i].X);
                model.LearnOne(rows[i].X);
                return s.ToString("R", CultureInfo.InvariantCulture);
            })
            .ToArray();
    }

    /// <summary>
    /// Normal traffic: modest amounts, low velocity, short distance. Anomalies (about 2%): half in a
    /// tight cluster of large, fast, far transactions, half scattered uniformly. Columns are written
    /// in a different order than the feature list, plus an ignored id column.
    /// </summary>
    private (string Path, List<(double[] X, bool Label)> Rows) WriteLabelledCsv(int seed, int count)
    {
        var rng = new Random(seed);
        var rows = new List<(double[] X, bool Label)>();
        var csv = new StringBuilder("id,velocity,is_fraud,amount,distance\n");
        for (var i = 0; i < count; i++)
        {
            var u = rng.NextDouble();
            double amount, velocity, distance;
            var fraud = u < 0.02;
            if (u < 0.01)
            {
                amount = 900 + 50 * rng.NextDouble();
                velocity = 0.9 + 0.05 * rng.NextDouble();
                distance = 0.85 + 0.1 * rng.NextDouble();
            }
            else if (fraud)
            {
                amount = 1000 * rng.NextDouble();
                velocity = rng.NextDouble();
                distance = rng.NextDouble();
            }
            else
            {
                amount = 50 + 150 * rng.NextDouble();
                velocity = 0.1 + 0.2 * rng.NextDouble();
                distance = 0.05 + 0.15 * rng.NextDouble();
            }

            rows.Add(([amount, velocity, distance], fraud));
            csv.Append(CultureInfo.InvariantCulture, $"tx{i},{velocity:R},{(fraud ? "1" : "0")},{amount:R},{distance:R}\n");
        }

        return (Write($"labelled-{seed}.csv", csv.ToString()), rows);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
